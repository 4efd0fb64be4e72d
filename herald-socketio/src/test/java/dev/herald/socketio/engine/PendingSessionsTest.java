package dev.herald.socketio.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pending-session counts, the address key, header keeping, and the settings' validation. */
class PendingSessionsTest {
    private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 1000);
    private static final InetSocketAddress B = new InetSocketAddress("127.0.0.2", 1000);

    @Test
    void countsPerAddressAndInTotalAndReleasesOnce() {
        PendingSessions p = new PendingSessions("/t/", EngineIoConfig.defaults().withPendingCaps(3, 2, 1_000_000));
        PendingSessions.Ticket a1 = p.tryAcquire(A, 10).ticket();
        PendingSessions.Ticket a2 = p.tryAcquire(new InetSocketAddress("127.0.0.1", 2000), 10).ticket();
        assertThat(p.tryAcquire(A, 10).refusal()).as("same address, other port").isEqualTo(HandshakeRefusal.ADDRESS_LIMIT);
        PendingSessions.Ticket b1 = p.tryAcquire(B, 10).ticket();
        assertThat(p.tryAcquire(new InetSocketAddress("127.0.0.3", 1), 10).refusal())
                .isEqualTo(HandshakeRefusal.SERVER_LIMIT);
        assertThat(p.count()).isEqualTo(3);
        assertThat(p.bytes()).isEqualTo(30);
        a1.release();
        a1.release();
        assertThat(p.count()).as("a second release gives nothing back").isEqualTo(2);
        assertThat(p.tryAcquire(A, 10).ticket()).isNotNull();
        a2.release();
        b1.release();
        assertThat(p.addresses()).isEqualTo(1);
        assertThat(p.refused(HandshakeRefusal.ADDRESS_LIMIT)).isEqualTo(1);
        assertThat(p.refused(HandshakeRefusal.SERVER_LIMIT)).isEqualTo(1);
    }

    @Test
    void ipv6AddressesCountPerSlash64() {
        assertThat(PendingSessions.addressKey(new InetSocketAddress("2001:db8:1:2::1", 1)))
                .isEqualTo(PendingSessions.addressKey(new InetSocketAddress("2001:db8:1:2:ffff::9", 2)))
                .isNotEqualTo(PendingSessions.addressKey(new InetSocketAddress("2001:db8:1:3::1", 1)));
    }

    @Test
    void onlyTheConfiguredHeadersAndCookiesAreKept() {
        HttpHeaders in = new DefaultHttpHeaders().add("Authorization", "Bearer t").add("X-Big", "x".repeat(10_000))
                .add("Cookie", "a=1; jwt=tok; b=" + "y".repeat(5_000)).add("Origin", "http://o");
        EngineIoConfig config = EngineIoConfig.defaults().withHandshakeHeaders(List.of("Authorization", "COOKIE"))
                .withHandshakeCookies(Set.of("jwt"));
        EngineHandshake hs = EngineHandshake.of("/socket.io/", Map.of("EIO", List.of("4")), in, A, config);
        assertThat(hs.headers().names()).containsExactlyInAnyOrder("authorization", "cookie");
        assertThat(hs.headers().get("Cookie")).isEqualTo("jwt=tok");
        assertThat(hs.size()).isEqualTo("/socket.io/".length() + "authorization".length() + "Bearer t".length()
                + "cookie".length() + "jwt=tok".length() + "EIO".length() + 1);
        // No configured cookie present: no Cookie header at all.
        HttpHeaders none = EngineHandshake.keep(new DefaultHttpHeaders().add("Cookie", "a=1"), Set.of("cookie"),
                Set.of("jwt"));
        assertThat(none.isEmpty()).isTrue();
    }

    @Test
    void settingsAreValidated() {
        EngineIoConfig d = EngineIoConfig.defaults();
        assertThatThrownBy(() -> d.withPendingCaps(10, 11, 1_000_000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withPendingCaps(0, 0, 1_000_000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withPendingCaps(10, 1, 100)).as("below maxHandshakeBytes")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withMaxHandshakeBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withHandshakeHeaders(List.of(" cookie"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withHandshakeCookies(Set.of(""))).isInstanceOf(IllegalArgumentException.class);
        assertThat(d.withHandshakeHeaders(List.of("X-Token")).handshakeHeaders()).containsExactly("x-token");
    }
}
