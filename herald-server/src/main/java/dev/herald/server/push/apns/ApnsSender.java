package dev.herald.server.push.apns;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import dev.herald.server.push.PushDevice;
import dev.herald.server.push.PushMessage;
import dev.herald.server.push.PushOutcome;
import dev.herald.server.push.PushPlatform;
import dev.herald.server.push.PushSender;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends pushes to Apple devices through APNs (HTTP/2, token authentication) with Pushy.
 *
 * <p>One {@link ApnsClient} per environment, built on the first push to it: a device registered
 * by a debug build ({@link PushDevice#apnsSandbox()}) goes to the development server, every other
 * one to production. Each client keeps one HTTP/2 connection and signs its own provider token,
 * renewing it before APNs' hour runs out.
 *
 * <p>Thread-safe. {@link #send} never blocks on the network: the future completes on Pushy's event
 * loop (keep callbacks short) or, after {@link ApnsSettings#sendTimeout()} without an answer, on the
 * JDK's delay thread with {@code RETRY}. Nothing here logs a device token or the signing key.
 */
public final class ApnsSender implements PushSender {
    private static final Logger log = LoggerFactory.getLogger(ApnsSender.class);

    private final ApnsSettings settings;
    private final ApnsSigningKey signingKey;
    private final Clock clock;
    /** Both clients' one I/O thread, owned here so that close() can stop it without Pushy's 2 s quiet period. */
    private final EventLoopGroup loop;
    /** Guarded by {@code this}; null until the first push to that environment. */
    private ApnsClient production;
    private ApnsClient development;
    private boolean closed;

    /**
     * Reads the signing key; no connection is opened before the first push.
     *
     * @throws IllegalArgumentException when the key file is not an APNs signing key
     */
    public ApnsSender(ApnsSettings settings) {
        this(settings, Clock.systemUTC());
    }

    ApnsSender(ApnsSettings settings, Clock clock) {
        this.settings = settings;
        this.signingKey = settings.loadSigningKey();
        this.clock = clock;
        this.loop = newLoop();
    }

    // Pushy 0.15 picks its channel class by the group's class name and knows NioEventLoopGroup,
    // which Netty 4.2 deprecates in favour of MultiThreadIoEventLoopGroup.
    @SuppressWarnings("deprecation")
    private static EventLoopGroup newLoop() {
        return new NioEventLoopGroup(1);
    }

    @Override
    public PushPlatform platform() {
        return PushPlatform.APNS;
    }

    @Override
    public CompletableFuture<PushOutcome> send(PushDevice device, PushMessage message) {
        if (device.platform() != PushPlatform.APNS) {
            return CompletableFuture.completedFuture(PushOutcome.failed(0, "not an APNs device: " + device.platform().wireName()));
        }
        if (device.apnsTopic() == null || device.apnsTopic().isBlank()) {
            return CompletableFuture.completedFuture(PushOutcome.failed(0, "the device has no APNs topic (bundle id)"));
        }
        try {
            ApnsClient client = client(device.apnsSandbox());
            if (client == null) {
                return CompletableFuture.completedFuture(PushOutcome.retry(0, "the APNs sender is closed", null));
            }
            return client.sendNotification(ApnsNotifications.of(device, message, clock.instant()))
                    .handle((response, failure) -> failure != null
                            ? ApnsOutcomes.of(failure)
                            : ApnsOutcomes.of(response.isAccepted(), response.getStatusCode(),
                            response.getRejectionReason().orElse(null)))
                    .completeOnTimeout(PushOutcome.retry(0, "no answer from APNs within " + settings.sendTimeout(), null),
                            settings.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            log.warn("APNs push to {} not sent: {}", device, e.toString());
            return CompletableFuture.completedFuture(ApnsOutcomes.of(e));
        }
    }

    private synchronized ApnsClient client(boolean sandbox) {
        if (closed) {
            return null;
        }
        if (sandbox) {
            if (development == null) {
                development = build(settings.development());
            }
            return development;
        }
        if (production == null) {
            production = build(settings.production());
        }
        return production;
    }

    private ApnsClient build(ApnsSettings.ApnsServer server) {
        ApnsClientBuilder builder = new ApnsClientBuilder()
                .setApnsServer(server.host(), server.port())
                .setSigningKey(signingKey)
                .setEventLoopGroup(loop)
                .setConnectionTimeout(settings.sendTimeout());
        if (!settings.trustedCertificates().isEmpty()) {
            builder.setTrustedServerCertificateChain(settings.trustedCertificates().toArray(new X509Certificate[0]));
        }
        try {
            ApnsClient client = builder.build();
            log.info("APNs client for {}:{} ready", server.host(), server.port());
            return client;
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up TLS for APNs at " + server.host() + ":" + server.port(), e);
        }
    }

    /**
     * Closes both connections, waiting up to the send timeout; sends in flight complete with
     * {@code RETRY}, later sends at once with {@code RETRY}. Idempotent.
     */
    @Override
    public void close() {
        ApnsClient p;
        ApnsClient d;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            p = production;
            d = development;
        }
        CompletableFuture<Void> clients = CompletableFuture.allOf(
                p == null ? CompletableFuture.completedFuture(null) : p.close(),
                d == null ? CompletableFuture.completedFuture(null) : d.close());
        try {
            clients.get(settings.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("APNs clients did not close within {}: {}", settings.sendTimeout(), e.toString());
        }
        loop.shutdownGracefully(0, settings.sendTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(settings.sendTimeout().toMillis());
    }
}
