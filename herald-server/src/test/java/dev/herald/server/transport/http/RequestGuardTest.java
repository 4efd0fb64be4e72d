package dev.herald.server.transport.http;

import dev.herald.server.memory.ByteBudget;
import dev.herald.server.metrics.HeraldMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The request guard alone: the node-wide budget for request bodies being received. */
class RequestGuardTest {
    private static final int KIB = 1024;

    private static EmbeddedChannel channel(ByteBudget budget) {
        return new EmbeddedChannel(new RequestGuard(TimeUnit.SECONDS.toNanos(10), new HeraldMetrics(), budget));
    }

    private static void startBody(EmbeddedChannel ch, int bytes) {
        ch.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/notifications"));
        ch.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[bytes])));
    }

    @Test
    void bodiesReceivedSlowlyOnManyConnectionsCannotPassTheNodesBudget() {
        ByteBudget budget = new ByteBudget(100 * KIB);
        EmbeddedChannel first = channel(budget);
        EmbeddedChannel second = channel(budget);
        startBody(first, 60 * KIB);
        assertThat(budget.used()).isEqualTo(60 * KIB);
        startBody(second, 60 * KIB);
        FullHttpResponse refused = second.readOutbound();
        assertThat(refused.status().code()).isEqualTo(503);
        refused.release();
        assertThat(second.isActive()).isFalse();
        assertThat(budget.used()).as("the refused body took nothing").isEqualTo(60 * KIB);
        // The first completes its request: its bytes go back.
        first.writeInbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[KIB])));
        assertThat(budget.used()).isZero();
        drain(first);
        first.finishAndReleaseAll();
        second.finishAndReleaseAll();
    }

    @Test
    void aConnectionThatDiesMidBodyGivesItsBytesBack() {
        ByteBudget budget = new ByteBudget(100 * KIB);
        EmbeddedChannel ch = channel(budget);
        startBody(ch, 30 * KIB);
        assertThat(budget.used()).isEqualTo(30 * KIB);
        drain(ch);
        ch.close();
        assertThat(budget.used()).isZero();
        ch.finishAndReleaseAll();
    }

    private static void drain(EmbeddedChannel ch) {
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            if (msg instanceof HttpContent || ReferenceCountUtil.refCnt(msg) > 0) {
                ReferenceCountUtil.release(msg);
            }
        }
    }
}
