package dev.herald.server.push.webpush;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read up to a limit: the first {@code limit} bytes, after which the rest is not
 * read (the subscription is cancelled, which closes the stream). An endpoint is a URL a browser
 * (or whoever registers a device) chose, so its server may answer with any body; Herald keeps
 * only enough of it for a failure's reason.
 *
 * <p>Each instance serves one response; the HTTP client calls it serially, as
 * {@link Flow.Subscriber} requires.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int limit;
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    /** Touched only by the HTTP client's serial subscriber calls. */
    private byte[] kept = new byte[0];
    private Flow.Subscription subscription;

    private BoundedBody(int limit) {
        this.limit = limit;
    }

    /** A handler reading at most {@code limit} bytes of any response. */
    static HttpResponse.BodyHandler<byte[]> handler(int limit) {
        return info -> new BoundedBody(limit);
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (body.isDone()) {
            return;
        }
        for (ByteBuffer buffer : buffers) {
            int n = Math.min(buffer.remaining(), limit - kept.length);
            int start = kept.length;
            kept = Arrays.copyOf(kept, start + n);
            buffer.get(kept, start, n);
        }
        if (kept.length >= limit) {
            body.complete(kept);
            subscription.cancel();
        }
    }

    @Override
    public void onError(Throwable error) {
        // What came before the error is still a reason worth showing; the status is what counts.
        body.complete(kept);
    }

    @Override
    public void onComplete() {
        body.complete(kept);
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return body;
    }
}
