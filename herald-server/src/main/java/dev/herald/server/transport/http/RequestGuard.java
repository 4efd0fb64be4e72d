package dev.herald.server.transport.http;

import dev.herald.server.memory.ByteBudget;
import dev.herald.server.metrics.HeraldMetrics;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What an HTTP connection may hold before its request is complete.
 *
 * <p>Time: a connection that has no request being served must deliver a complete request (head
 * and body) within {@code --request-timeout} of opening, and again of each answer. Otherwise it
 * is closed: with a 408 when it had begun a request (a slow or stalled sender), silently when it
 * sent nothing (an idle keep-alive connection or a silent client).
 *
 * <p>Memory: request bodies being received are counted against one budget for the node
 * ({@link ByteBudget}), before any credential is seen; a request whose body would take it past
 * the budget is answered 503 at once and the connection closed, so many connections each sending
 * a large body slowly cannot fill the heap together.
 *
 * <p>While a request is being served (a long poll, an SSE stream, a WebSocket handshake being
 * authorized) there is no deadline: those have their own timers. A WebSocket takeover (the 101
 * answer) removes this handler, so an upgraded connection carries nothing of it.
 *
 * <p>Sits between the HTTP codec and the aggregator. One per connection; only on its loop.
 */
final class RequestGuard extends ChannelDuplexHandler {
    private final long timeoutNanos;
    private final HeraldMetrics metrics;
    private final ByteBudget budget;
    // Only on the loop.
    private long reserved;         // body bytes of the request being received, taken from the budget
    private boolean refusing;      // over the budget: everything read from now on is dropped
    private boolean holdingReads;  // the router asked to stop reading: read requests are not passed on
    private ScheduledFuture<?> deadline;
    private int inFlight;       // requests read completely and not yet answered
    private boolean begun;      // a request head arrived and its body is not complete
    private boolean answeredEarly; // the begun request was refused before its body ended (e.g. 413)
    private ChannelHandlerContext ctx;

    RequestGuard(long timeoutNanos, HeraldMetrics metrics, ByteBudget budget) {
        this.timeoutNanos = timeoutNanos;
        this.metrics = metrics;
        this.budget = budget;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            arm();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (refusing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            begun = true;
        }
        if (msg instanceof HttpContent content && content.content().isReadable()) {
            int n = content.content().readableBytes();
            if (!budget.take(n)) {
                content.release();
                overBudget();
                return;
            }
            reserved += n;
        }
        if (msg instanceof LastHttpContent) {
            // The aggregated request goes on to the router, which copies or decodes it at once.
            giveBack();
            begun = false;
            if (answeredEarly) {
                answeredEarly = false;
                arm();
            } else {
                inFlight++;
                cancel();
            }
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse response && response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
            cancel();
            ctx.pipeline().remove(this);
        } else if (msg instanceof LastHttpContent && !isContinue(msg)) {
            if (inFlight > 0) {
                if (--inFlight == 0) {
                    arm();
                }
            } else if (begun) {
                answeredEarly = true;
            }
        }
        super.write(ctx, msg, promise);
    }

    /**
     * While held, read requests from the handlers behind this one (the aggregator asks for more
     * whenever a message is incomplete, whatever {@code autoRead} says) are not passed on, so a
     * connection whose pipelined requests wait is not read at all. Called by the router.
     */
    void holdReads(boolean hold) {
        holdingReads = hold;
    }

    @Override
    public void read(ChannelHandlerContext ctx) throws Exception {
        if (!holdingReads) {
            ctx.read();
        }
    }

    private static boolean isContinue(Object msg) {
        return msg instanceof HttpResponse r && r.status().equals(HttpResponseStatus.CONTINUE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        giveBack();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
        giveBack();
    }

    private void giveBack() {
        if (reserved > 0) {
            budget.giveBack(reserved);
            reserved = 0;
        }
    }

    private void overBudget() {
        refusing = true;
        giveBack();
        metrics.refused("body_budget");
        cancel();
        answerAndClose(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"error\":\"the node is receiving too many request bodies; retry later\"}");
    }

    private void arm() {
        cancel();
        deadline = ctx.executor().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void expire() {
        deadline = null;
        if (inFlight > 0 || !ctx.channel().isActive()) {
            return;
        }
        if (!begun) {
            ctx.close();
            return;
        }
        metrics.refused("request_timeout");
        answerAndClose(HttpResponseStatus.REQUEST_TIMEOUT, "{\"error\":\"request not completed in time\"}");
    }

    private void answerAndClose(HttpResponseStatus status, String json) {
        if (!ctx.channel().isActive()) {
            return;
        }
        FullHttpResponse response = HttpResponses.bytes(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // Written from here toward the codec: the handlers after this one never see it.
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
