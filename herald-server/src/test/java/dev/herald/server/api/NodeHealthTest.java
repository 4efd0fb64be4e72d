package dev.herald.server.api;

import dev.herald.server.broker.InProcessBroker;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import dev.herald.server.store.Store;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class NodeHealthTest {

    @Test
    void aWedgedEventLoopMakesTheNodeNotLive() throws Exception {
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
        CountDownLatch release = new CountDownLatch(1);
        try {
            NodeHealth health = new NodeHealth(loops, UnpooledByteBufAllocator.DEFAULT, null, null);
            assertThat(health.liveness().live()).isTrue();
            EventExecutor second = null;
            int i = 0;
            for (EventExecutor e : loops) {
                if (i++ == 1) {
                    second = e;
                }
            }
            second.execute(() -> {
                try {
                    release.await(10, TimeUnit.SECONDS); // a task that never gives the loop back
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            });
            Thread.sleep(NodeHealth.CACHE_MILLIS + 50); // past the cached answer
            NodeHealth.Report report = health.liveness();
            assertThat(report.live()).isFalse();
            assertThat(report.wedgedLoops()).containsExactly("loop-1");
        } finally {
            release.countDown();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void exhaustedDirectMemoryMakesTheNodeNotLive() {
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
        // Stands in for a JVM whose direct memory is used up (exhausting the test JVM's own would
        // disturb every other test): the allocator throws what Netty throws then.
        AbstractByteBufAllocator exhausted = new AbstractByteBufAllocator(true) {
            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                return UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                throw new OutOfMemoryError("Cannot reserve " + initialCapacity + " bytes of direct buffer memory");
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        };
        try {
            NodeHealth.Report report = new NodeHealth(loops, exhausted, null, null).liveness();
            assertThat(report.live()).isFalse();
            assertThat(report.memoryProblem()).contains("direct memory");
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void readinessAlsoNeedsTheStoreAndTheBroker() {
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
        try (InProcessBroker broker = new InProcessBroker()) {
            // A store whose database is down answers isReachable() with false; nothing else is asked.
            Store down = (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("isReachable")) {
                            return false;
                        }
                        throw new UnsupportedOperationException(method.getName());
                    });
            NodeHealth health = new NodeHealth(loops, UnpooledByteBufAllocator.DEFAULT, down, broker);
            NodeHealth.Report report = health.readiness();
            assertThat(report.live()).isTrue();
            assertThat(report.ready()).isFalse();
            assertThat(report.storeOk()).isFalse();
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
