package dev.herald.server;

import dev.herald.server.testing.RawHttp;
import dev.herald.server.testing.TestServer;
import io.netty.util.concurrent.EventExecutor;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HeraldServerTest {

    /**
     * A Netty loop closes its connections at shutdown only when the shutdown finds it waiting for
     * I/O; one busy running tasks at that moment ends without closing them. Connections accepted
     * in the last moments before a shutdown (mid-upgrade, or idle on keep-alive) were left open,
     * unread, for the life of the process. Here the loop is made busy at the very moment its
     * shutdown begins, which used to leave the connection open every time.
     */
    @Test
    void closeClosesEveryAcceptedConnectionEvenWhenItsLoopIsBusyAsTheLoopsShutDown() {
        TestServer server = TestServer.start(b -> b.eventLoops(1));
        try (RawHttp idle = RawHttp.connect(server.port())) {
            // Accepted and answered, then idle on keep-alive: no session, so no 1001 closes it.
            assertThat(idle.send(RawHttp.get("/healthz")).read(10_000).status()).isEqualTo(200);
            for (EventExecutor loop : server.server().ioLoops()) {
                loop.execute(() -> await().atMost(Duration.ofSeconds(20)).until(loop::isShuttingDown));
            }

            server.close();

            assertThat(idle.awaitEof(5_000)).as("milliseconds until the node closed the idle connection")
                    .isNotNegative();
        } finally {
            server.close();
        }
    }
}
