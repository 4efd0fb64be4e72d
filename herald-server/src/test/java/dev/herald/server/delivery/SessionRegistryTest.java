package dev.herald.server.delivery;

import dev.herald.server.stream.StreamEvent;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SessionRegistryTest {

    /** Only identity and user matter to the registry. */
    private record NamedSession(String id, String userId) implements Session {
        @Override
        public EventLoop eventLoop() {
            throw new UnsupportedOperationException("not used by the registry");
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public void deliver(StreamEvent event) {
            throw new UnsupportedOperationException("not used by the registry");
        }

        @Override
        public void flush() {
        }

        @Override
        public boolean markFlushPending() {
            return false;
        }

        @Override
        public void close(CloseReason reason) {
            throw new UnsupportedOperationException("not used by the registry");
        }
    }

    private final List<String> events = new ArrayList<>();
    private final SessionRegistry registry = new SessionRegistry();

    SessionRegistryTest() {
        registry.addListener(new SessionRegistry.UserListener() {
            @Override
            public void firstSessionOpened(String userId) {
                events.add("online " + userId);
            }

            @Override
            public void lastSessionClosed(String userId) {
                events.add("offline " + userId);
            }
        });
    }

    @Test
    void theListenerHearsOfAUsersFirstAndLastSessionOnly() {
        NamedSession a = new NamedSession("a", "7");
        NamedSession b = new NamedSession("b", "7");
        registry.add(a);
        registry.add(b);
        registry.add(a); // again: no duplicate
        assertThat(registry.ofUser("7")).containsExactlyInAnyOrder(a, b);
        registry.remove(a);
        registry.remove(a); // again: nothing
        assertThat(registry.ofUser("7")).containsExactly(b);
        registry.remove(b);
        assertThat(registry.ofUser("7")).isEmpty();
        assertThat(registry.size()).isZero();
        assertThat(events).containsExactly("online 7", "offline 7");
    }

    @Test
    void aUserWithManySessionsKeepsEveryOneAndGoesOfflineWithTheLast() {
        int n = SessionRegistry.SMALL * 3;
        List<NamedSession> sessions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            NamedSession s = new NamedSession("s" + i, "busy");
            sessions.add(s);
            registry.add(s);
        }
        registry.add(new NamedSession("other", "quiet"));
        assertThat(registry.ofUser("busy")).containsExactlyInAnyOrderElementsOf(sessions);
        assertThat(registry.size()).isEqualTo(n + 1);
        for (int i = n - 1; i >= 1; i--) {
            registry.remove(sessions.get(i));
        }
        assertThat(registry.ofUser("busy")).containsExactly(sessions.get(0));
        assertThat(events).containsExactly("online busy", "online quiet");
        registry.remove(sessions.get(0));
        assertThat(registry.ofUser("busy")).isEmpty();
        assertThat(registry.ofUser("quiet")).hasSize(1);
        assertThat(events).containsExactly("online busy", "online quiet", "offline busy");
    }

    @Test
    void removingFromTheMiddleOfASmallGroupKeepsTheOthers() {
        NamedSession a = new NamedSession("a", "9");
        NamedSession b = new NamedSession("b", "9");
        NamedSession c = new NamedSession("c", "9");
        registry.add(a);
        registry.add(b);
        registry.add(c);
        registry.remove(b);
        assertThat(registry.ofUser("9")).containsExactlyInAnyOrder(a, c);
        assertThat(registry.all()).containsExactlyInAnyOrder(a, c);
    }

    @Test
    void aSessionAddedAfterCloseAllIsClosedWithTheSameReason() throws Exception {
        io.netty.channel.DefaultEventLoop loop = new io.netty.channel.DefaultEventLoop();
        try {
            RecordingSession before = new RecordingSession(loop);
            registry.add(before);
            registry.closeAll(CloseReason.SHUTDOWN);
            // A WebSocket whose upgrade finished after shutdown told everyone to leave.
            RecordingSession late = new RecordingSession(loop);
            registry.add(late);
            loop.submit(() -> { }).get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(before.closedWith).isEqualTo(CloseReason.SHUTDOWN);
            assertThat(late.closedWith).isEqualTo(CloseReason.SHUTDOWN);
        } finally {
            loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
