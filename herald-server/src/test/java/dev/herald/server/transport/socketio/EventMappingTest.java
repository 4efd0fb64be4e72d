package dev.herald.server.transport.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** How stream frames become the Socket.IO events apps listen for. */
class EventMappingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

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
