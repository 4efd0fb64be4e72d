package dev.herald.server.transport.http;

import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.RawHttp;
import dev.herald.server.testing.TestServer;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bodies pipelined behind a request that is held (a long poll) are not read into the node's
 * memory: once 64 KiB of them wait, the node stops reading the connection and TCP holds the rest
 * (here the kernel's buffers take it all: loopback receive buffers grow to 32 MB, so the test
 * measures the node's own buffers). On the main of 2026-12-06 the node read and kept them all,
 * 16 MB a connection.
 */
class PipeliningEndToEndTest {
    private static final int BODY = 1_000_000;
    private static final int PIPELINED = 16;

    @RegisterExtension
    final HeraldNodeExtension node = new HeraldNodeExtension();

    private static long usedDirect() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    @Test
    void bodiesPipelinedBehindAHeldPollStayInTheClientAndOthersAreServed() throws Exception {
        List<RawHttp> abusers = new ArrayList<>();
        List<Thread> writers = new ArrayList<>();
        TestServer server = node.server();
        try {
            byte[] body = new byte[BODY];
            Arrays.fill(body, (byte) 'x');
            byte[] post = RawHttp.request("POST", "/api/v1/notifications", "application/json", body);
            CountDownLatch finished = new CountDownLatch(4);
            long before = usedDirect();
            for (int c = 0; c < 4; c++) {
                RawHttp http = RawHttp.connect(server.port());
                abusers.add(http);
                // A Socket.IO session and a poll the node holds (nothing to send for 25 s).
                http.send(RawHttp.get("/socket.io/?EIO=4&transport=polling"));
                RawHttp.Response open = http.read(5_000);
                String sid = open.body().replaceAll(".*\"sid\":\"([^\"]+)\".*", "$1");
                http.send(RawHttp.get("/socket.io/?EIO=4&transport=polling&sid=" + sid));
                writers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < PIPELINED && http.trySend(post); i++) {
                        // pipelining as fast as the connection takes it
                    }
                    finished.countDown();
                }));
            }
            finished.await(5, TimeUnit.SECONDS);
            Thread.sleep(500); // let the node read what it will read
            long held = usedDirect() - before;
            assertThat(held).as("bytes the node holds for 4 connections pipelining 16 MB each")
                    .isLessThan(4L * (BODY + HttpRequestHandler.MAX_WAITING_BYTES) * 2);
            try (RawHttp client = RawHttp.connect("127.0.0.2", server.port())) {
                client.send(RawHttp.get("/healthz"));
                assertThat(client.read(2_000).status()).as("a client served meanwhile").isEqualTo(200);
            }
        } finally {
            abusers.forEach(RawHttp::close);
            for (Thread t : writers) {
                t.join(5_000);
            }
        }
    }
}
