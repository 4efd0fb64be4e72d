package dev.herald.server.push.webpush;

import dev.herald.server.notify.ValidationException;
import dev.herald.server.push.PushDevice;
import dev.herald.server.push.PushMessage;
import dev.herald.server.push.PushOutcome;
import dev.herald.server.push.PushPlatform;
import dev.herald.server.push.PushSender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends pushes to browsers through their push services (RFC 8030): each message is encrypted for
 * its subscription ({@link WebPushEncryptor}), signed for with VAPID ({@link VapidSigner}), POSTed
 * to the subscription's endpoint, and the answer mapped to a {@link PushOutcome}
 * ({@link WebPushAnswer}).
 *
 * <p>One {@link HttpClient} serves every push service: HTTP/2 where the service offers it (all
 * the big ones do, so pushes to one service share a connection), HTTP/1.1 otherwise; redirects are
 * not followed. Each push is bounded by {@link WebPushSettings#timeout()}, connecting included.
 * Encryption and answer handling run on a pool of at most {@value #MAX_THREADS} daemon threads,
 * which the client shares; the caller's thread only queues the work, so {@link #send} returns at
 * once. The pool's queue is not bounded here: the dispatcher bounds how many sends are in flight.
 *
 * <p>A device whose stored subscription is not valid (a {@link ValidationException} from
 * {@link WebPushSubscription#of}) or a message too large for one record completes as
 * {@code FAILED} with status 0 without a request. Nothing here logs an endpoint, key or token.
 *
 * <p>Thread-safe. {@link #close()} stops the client (sends in flight complete as {@code RETRY},
 * status 0) and the pool.
 */
public final class WebPushSender implements PushSender {
    static final int MAX_THREADS = 4;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final AtomicInteger SENDERS = new AtomicInteger();

    private final WebPushSettings settings;
    private final VapidSigner vapid;
    private final WebPushEncryptor encryptor;
    private final Clock clock;
    private final ExecutorService executor;
    private final HttpClient client;

    public WebPushSender(WebPushSettings settings) {
        this(settings, Clock.systemUTC());
    }

    WebPushSender(WebPushSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.vapid = new VapidSigner(settings.vapidKeys(), settings.subject(), clock);
        this.encryptor = new WebPushEncryptor(new SecureRandom());
        this.executor = Executors.newFixedThreadPool(Math.min(MAX_THREADS, Math.max(2, Runtime.getRuntime().availableProcessors())),
                threads("herald-webpush-" + SENDERS.incrementAndGet() + "-"));
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.timeout())
                .executor(executor);
        if (settings.sslContext() != null) {
            builder.sslContext(settings.sslContext());
        }
        this.client = builder.build();
    }

    @Override
    public PushPlatform platform() {
        return PushPlatform.WEBPUSH;
    }

    @Override
    public CompletableFuture<PushOutcome> send(PushDevice device, PushMessage message) {
        if (device.platform() != PushPlatform.WEBPUSH) {
            return CompletableFuture.completedFuture(PushOutcome.failed(0, "not a Web Push device: " + device.platform().wireName()));
        }
        try {
            return CompletableFuture.supplyAsync(() -> prepare(device, message), executor)
                    .thenCompose(prepared -> prepared.outcome != null ? CompletableFuture.completedFuture(prepared.outcome)
                            : client.sendAsync(prepared.request, BoundedBody.handler(WebPushAnswer.MAX_BODY_BYTES))
                                    .handle((response, error) -> answer(response, error, prepared.endpoint)))
                    .exceptionally(error -> WebPushAnswer.ofFailure(error, null));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(PushOutcome.retry(0, "the Web Push sender is closed", null));
        }
    }

    @Override
    public void close() {
        client.shutdownNow();
        try {
            client.awaitTermination(CLOSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdown();
        try {
            executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A request ready to go, or the outcome that makes one pointless. */
    private record Prepared(URI endpoint, HttpRequest request, PushOutcome outcome) {
    }

    private Prepared prepare(PushDevice device, PushMessage message) {
        WebPushSubscription subscription;
        try {
            subscription = WebPushSubscription.of(device.address(), device.p256dh(), device.auth(), settings.allowHttpEndpoints());
        } catch (ValidationException e) {
            return new Prepared(null, null, PushOutcome.failed(0, "invalid subscription: " + e.getMessage()));
        }
        byte[] body;
        try {
            body = encryptor.encrypt(message.toJsonBytes(), subscription.uaPublicKey(), subscription.authSecret());
        } catch (IllegalArgumentException e) {
            return new Prepared(null, null, PushOutcome.failed(0, e.getMessage()));
        }
        URI endpoint = subscription.endpoint();
        return new Prepared(endpoint, WebPushRequest.build(endpoint, body, message, vapid.authorization(endpoint),
                settings.timeout()), null);
    }

    private PushOutcome answer(HttpResponse<byte[]> response, Throwable error, URI endpoint) {
        if (error != null) {
            return WebPushAnswer.ofFailure(error, endpoint);
        }
        return WebPushAnswer.of(response.statusCode(), response.headers().firstValue("Retry-After").orElse(null),
                response.body(), clock.instant());
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
