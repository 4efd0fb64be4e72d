package dev.herald.server.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Relay rules, notification event names, and how stream frames become Socket.IO events. */
class SocketIoSettingsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void relayRulesParseFromTheirOneLineForm() {
        assertThat(RelayRule.parseAll("bookingUpdate:booking:bookingId:bookingUpdated, a:b:c:d")).containsExactly(
                new RelayRule("bookingUpdate", "booking", "bookingId", "bookingUpdated"), new RelayRule("a", "b", "c", "d"));
        assertThat(RelayRule.parseAll(null)).isEmpty();
        assertThat(RelayRule.parseAll("  ")).isEmpty();
        assertThat(RelayRule.room("booking:1")).isEqualTo("topic:booking:1");
    }

    @Test
    void malformedRelayRulesAreRefusedNamingTheRule() {
        assertThatThrownBy(() -> RelayRule.parseAll("bookingUpdate:booking:bookingId"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bookingUpdate:booking:bookingId");
        assertThatThrownBy(() -> RelayRule.parseAll("a b:c:d:e")).hasMessageContaining("a b");
    }

    @Test
    void settingsComeFromSystemPropertiesWithBothNotificationNamesByDefault() {
        assertThat(SocketIoSettings.fromEnvironment().notificationEvents()).containsExactly("notification", "newNotification");
        System.setProperty("herald.socketio.notificationEvents", "notification");
        System.setProperty("herald.socketio.relay", "x:y:z:w");
        try {
            SocketIoSettings s = SocketIoSettings.fromEnvironment();
            assertThat(s.notificationEvents()).containsExactly("notification");
            assertThat(s.relayRules()).containsExactly(new RelayRule("x", "y", "z", "w"));
        } finally {
            System.clearProperty("herald.socketio.notificationEvents");
            System.clearProperty("herald.socketio.relay");
        }
        assertThatThrownBy(() -> new SocketIoSettings(List.of("bad name"), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chatFramesBecomeTheEventsSocketIoAppsListenFor() throws Exception {
        ObjectNode typing = (ObjectNode) JSON.readTree("{\"type\":\"typing\",\"conversation_id\":7,\"user_id\":\"u1\"}");
        EventMapping.Mapped m = EventMapping.chat("conv:7", typing);
        assertThat(m.event()).isEqualTo("userTyping");
        assertThat(m.payload().toString()).isEqualTo("{\"userId\":\"u1\",\"conversationId\":7}");

        ObjectNode offline = (ObjectNode) JSON.readTree(
                "{\"type\":\"presence\",\"user_id\":\"u2\",\"status\":\"offline\",\"last_seen\":\"2026-01-01T00:00:00Z\"}");
        m = EventMapping.chat("chatuser:u1", offline);
        assertThat(m.event()).isEqualTo("userOffline");
        assertThat(m.payload().toString()).isEqualTo("{\"userId\":\"u2\",\"lastSeen\":\"2026-01-01T00:00:00Z\"}");

        ObjectNode receipt = (ObjectNode) JSON.readTree(
                "{\"type\":\"read_receipt\",\"conversation_id\":7,\"user_id\":\"u2\",\"seq\":3}");
        assertThat(EventMapping.chat("conv:7", receipt).payload().toString())
                .isEqualTo("{\"conversationId\":7,\"userId\":\"u2\",\"seq\":3}");
        assertThat(EventMapping.chat("conv:7", (ObjectNode) JSON.readTree("{\"type\":\"something_new\"}"))).isNull();
    }
}
