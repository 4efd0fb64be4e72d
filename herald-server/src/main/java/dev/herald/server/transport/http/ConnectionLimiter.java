package dev.herald.server.transport.http;

import dev.herald.server.logging.RefusalCount;
import dev.herald.server.metrics.HeraldMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the TCP connections a node holds, before any byte is read or any credential seen: in
 * total ({@code --max-connections}, by default the open-files limit less {@value #FILE_RESERVE}
 * kept for the store, logs, JARs and the accept loop itself) and per client address
 * ({@code --max-connections-per-ip}). A connection over a cap is answered at once with a 503 and
 * closed, so it holds its file handle for one write; nothing is queued.
 *
 * <p>Thread-safe: {@link #admit} runs on the accepting channel's loop, the release on whichever
 * loop closes it. The per-address map holds only addresses with open connections.
 */
public final class ConnectionLimiter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);
    /** File handles kept free for everything that is not a client connection. */
    static final int FILE_RESERVE = 256;
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

    private final int maxTotal;
    private final int maxPerIp;
    private final HeraldMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perIp = new ConcurrentHashMap<>();
    private final RefusalCount refusals = new RefusalCount(LOG_INTERVAL, System::nanoTime);

    /**
     * @param maxTotal total cap; 0 for the open-files limit less the reserve
     * @param maxPerIp per-address cap; 0 for none
     */
    public ConnectionLimiter(int maxTotal, int maxPerIp, HeraldMetrics metrics) {
        this.maxTotal = maxTotal > 0 ? maxTotal : fromFileLimit();
        this.maxPerIp = maxPerIp;
        this.metrics = metrics;
        metrics.bindTcpConnections(open::get);
    }

    /** The total cap in force. */
    public int maxTotal() {
        return maxTotal;
    }

    /** Open connections right now. */
    public int open() {
        return open.get();
    }

    /**
     * Counts a new connection, or refuses it (answered with 503 and closed).
     *
     * @return whether the connection may go on
     */
    public boolean admit(Channel ch) {
        if (open.incrementAndGet() > maxTotal) {
            open.decrementAndGet();
            refuse(ch, "connections_total", "this node is at its connection limit; retry later or elsewhere");
            return false;
        }
        InetAddress address = ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        if (maxPerIp > 0 && address != null) {
            AtomicInteger count = perIp.compute(address, (k, v) -> {
                AtomicInteger c = v == null ? new AtomicInteger() : v;
                c.incrementAndGet();
                return c;
            });
            if (count.get() > maxPerIp) {
                release(address);
                open.decrementAndGet();
                refuse(ch, "connections_per_ip", "too many connections from your address (at most " + maxPerIp + ")");
                return false;
            }
            ch.closeFuture().addListener(f -> {
                release(address);
                open.decrementAndGet();
            });
        } else {
            ch.closeFuture().addListener(f -> open.decrementAndGet());
        }
        return true;
    }

    private void release(InetAddress address) {
        perIp.computeIfPresent(address, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
    }

    private void refuse(Channel ch, String reason, String message) {
        metrics.refused(reason);
        refusals.add();
        RefusalCount.Summary said = refusals.takeIfDue(false);
        if (said != null) {
            log.warn("refusing connections: {} ({} refused in the last {} s; open={}, max={}, max per address={})",
                    reason, said.count(), said.seconds(), open.get(), maxTotal, maxPerIp);
        }
        byte[] body = ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\nRetry-After: 5\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        ch.writeAndFlush(Unpooled.wrappedBuffer(head, body)).addListener(ChannelFutureListener.CLOSE);
    }

    /** The process's open-files limit less the reserve, or a conservative default when unknown. */
    static int fromFileLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long limit = unix.getMaxFileDescriptorCount();
            if (limit > 2L * FILE_RESERVE) {
                return (int) Math.min(Integer.MAX_VALUE, limit - FILE_RESERVE);
            }
            return (int) Math.max(1, limit / 2);
        }
        return 10_000;
    }
}
