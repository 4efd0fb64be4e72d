package dev.herald.server.push.fcm;

import dev.herald.server.push.PushDevice;
import dev.herald.server.push.PushMessage;
import dev.herald.server.push.PushOutcome;
import dev.herald.server.push.PushPlatform;
import dev.herald.server.push.PushSender;
import dev.herald.server.push.TrustedCertificates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Sends pushes to Android devices (and apps using Firebase) through FCM's HTTP v1 API, on the
 * JDK's {@link HttpClient} over HTTP/2: {@code POST {base}/v1/projects/{project}/messages:send}
 * with an access token of the project's service account ({@link FcmAccessTokens}).
 *
 * <p>An answer 401 (the access token was refused) makes it fetch a new token and send once more;
 * a second 401 is {@code FAILED}. Every send completes within {@link FcmSettings#timeout()}, the
 * token request included: after that it is {@code RETRY} with status 0, as is a refused connection.
 *
 * <p>Thread-safe; {@link #send} never blocks: its future completes on the HTTP client's threads
 * or the JDK's delay thread (keep callbacks short). Nothing here logs a device token, the service
 * account's key or an access token.
 */
public final class FcmSender implements PushSender {
    private static final Logger log = LoggerFactory.getLogger(FcmSender.class);

    private final FcmSettings settings;
    private final URI sendUrl;
    private final HttpClient http;
    private final FcmAccessTokens tokens;
    private final Clock clock;
    private volatile boolean closed;

    /**
     * Reads the service account file; no connection is opened before the first push.
     *
     * @throws IllegalArgumentException naming the file and the field when the service account file is wrong
     */
    public FcmSender(FcmSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /** With the clock the access token's lifetime is measured by. */
    FcmSender(FcmSettings settings, Clock clock) {
        FcmServiceAccount account = FcmServiceAccount.read(settings.serviceAccountFile());
        this.settings = settings;
        this.clock = clock;
        String base = settings.baseUrl().toString().replaceAll("/+$", "");
        this.sendUrl = URI.create(base + "/v1/projects/" + account.projectId() + "/messages:send");
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (!settings.trustedCertificates().isEmpty()) {
            builder.sslContext(TrustedCertificates.sslContext(settings.trustedCertificates()));
        }
        this.http = builder.build();
        this.tokens = new FcmAccessTokens(account, settings.tokenUrl() != null ? settings.tokenUrl() : account.tokenUri(),
                http, settings.timeout(), clock);
        log.info("FCM sender for project {} via {}", account.projectId(), base);
    }

    @Override
    public PushPlatform platform() {
        return PushPlatform.FCM;
    }

    @Override
    public CompletableFuture<PushOutcome> send(PushDevice device, PushMessage message) {
        if (device.platform() != PushPlatform.FCM) {
            return CompletableFuture.completedFuture(PushOutcome.failed(0, "not an FCM device: " + device.platform().wireName()));
        }
        if (closed) {
            return CompletableFuture.completedFuture(PushOutcome.retry(0, "the FCM sender is closed", null));
        }
        try {
            byte[] body = FcmMessages.body(device, message).toString().getBytes(StandardCharsets.UTF_8);
            return attempt(device, body, true)
                    .exceptionally(FcmSender::noAnswer)
                    .completeOnTimeout(PushOutcome.retry(0, "no answer from FCM within " + settings.timeout(), null),
                            settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            log.warn("FCM push to {} not sent: {}", device, e.toString());
            return CompletableFuture.completedFuture(noAnswer(e));
        }
    }

    private CompletableFuture<PushOutcome> attempt(PushDevice device, byte[] body, boolean mayRefresh) {
        return tokens.token().thenCompose(token -> http.sendAsync(HttpRequest.newBuilder(sendUrl)
                                .timeout(settings.timeout())
                                .header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/json; charset=UTF-8")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(), HttpResponse.BodyHandlers.ofString())
                .thenCompose(response -> {
                    if (response.statusCode() == 401 && mayRefresh) {
                        tokens.invalidate(token);
                        return attempt(device, body, false);
                    }
                    return CompletableFuture.completedFuture(FcmResponses.of(response.statusCode(), response.body(),
                            response.headers().firstValue("Retry-After").orElse(null), clock.instant(), device.address()));
                }));
    }

    /** A send that got no answer from FCM: no connection, a timeout, or no access token. */
    private static PushOutcome noAnswer(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return PushOutcome.retry(0, cause instanceof FcmAccessTokens.FcmTokenException ? message
                : cause.getClass().getSimpleName() + (message == null ? "" : ": " + FcmResponses.cut(message)), null);
    }

    /** Stops the HTTP client, aborting sends in flight (they complete with {@code RETRY}); idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        http.shutdownNow();
        try {
            if (!http.awaitTermination(settings.timeout())) {
                log.warn("FCM HTTP client did not stop within {}", settings.timeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
