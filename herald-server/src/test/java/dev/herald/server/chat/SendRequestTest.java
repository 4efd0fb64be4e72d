package dev.herald.server.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading a send request from a /ws/chat frame, a Socket.IO payload and an HTTP body. */
class SendRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SendRequest.Names WS = new SendRequest.Names("conversation_id", "client_id", "message_type", false);
    private static final SendRequest.Names SOCKET_IO = new SendRequest.Names("conversationId", "clientId", "messageType", false);
    private static final SendRequest.Names HTTP = new SendRequest.Names("conversation_id", "client_id", "message_type", true);

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text);
    }

    private static void assertRefused(String payload, SendRequest.Names names, String field, String message) {
        assertThatThrownBy(() -> SendRequest.parse(json(payload), names))
                .isInstanceOfSatisfying(ChatException.class, e -> {
                    assertThat(e.code()).isEqualTo(ChatException.Code.INVALID_FIELD);
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }

    @Test
    void readsAWebSocketFrame() throws Exception {
        assertThat(SendRequest.parse(json("""
                {"type":"send_message","conversation_id":12,"content":"hi","client_id":"c-1","message_type":"note"}"""), WS))
                .isEqualTo(new SendRequest(12, "hi", "c-1", "note"));
    }

    @Test
    void readsASocketIoPayload() throws Exception {
        assertThat(SendRequest.parse(json("""
                {"conversationId":"12","content":"hi","clientId":"c-1","messageType":"note"}"""), SOCKET_IO))
                .isEqualTo(new SendRequest(12, "hi", "c-1", "note"));
    }

    @Test
    void absentOrNullOptionalFieldsAreNull() throws Exception {
        assertThat(SendRequest.parse(json("{\"conversation_id\":1}"), WS)).isEqualTo(new SendRequest(1, null, null, null));
        assertThat(SendRequest.parse(json("{\"conversation_id\":1,\"content\":null,\"client_id\":null,\"message_type\":null}"), WS))
                .isEqualTo(new SendRequest(1, null, null, null));
        assertThat(SendRequest.parse(json("{\"conversationId\":1}"), SOCKET_IO)).isEqualTo(new SendRequest(1, null, null, null));
    }

    @Test
    void contentIsHandedOnAsItIsForTheServiceToJudge() throws Exception {
        // Missing, blank or too long content is ChatService.send's to refuse (ChatServiceTest), on every transport.
        assertThat(SendRequest.parse(json("{\"conversation_id\":1,\"content\":\"   \"}"), WS).content()).isEqualTo("   ");
        String long5000 = "x".repeat(5000);
        assertThat(SendRequest.parse(json("{\"conversation_id\":1,\"content\":\"" + long5000 + "\"}"), WS).content())
                .isEqualTo(long5000);
        assertThat(SendRequest.parse(json("{\"conversation_id\":1,\"content\":\"\"}"), WS).content()).isEmpty();
    }

    @Test
    void contentThatIsNotAStringIsRefused() {
        for (String content : new String[] {"5", "true", "{}", "[\"hi\"]"}) {
            assertRefused("{\"conversation_id\":1,\"content\":" + content + "}", WS, "content", "content: must be a string");
            assertRefused("{\"conversationId\":1,\"content\":" + content + "}", SOCKET_IO, "content", "content: must be a string");
        }
    }

    @Test
    void theConversationIdIsRequiredAndAPositiveNumberOrNumericString() throws Exception {
        assertRefused("{\"content\":\"hi\"}", WS, "conversation_id", "conversation_id: required");
        assertRefused("{\"conversation_id\":null,\"content\":\"hi\"}", WS, "conversation_id", "conversation_id: required");
        for (String bad : new String[] {"-1", "1.5", "\"abc\"", "\"-3\"", "true", "{}", "[1]", "\"\"", "99999999999999999999"}) {
            assertRefused("{\"conversation_id\":" + bad + ",\"content\":\"hi\"}", WS, "conversation_id",
                    "conversation_id: must be a number >= 0");
        }
        assertRefused("{\"conversation_id\":0}", WS, "conversation_id", "conversation_id: must be a number >= 1");
        assertRefused("{\"conversationId\":\"x\"}", SOCKET_IO, "conversationId", "conversationId: must be a number >= 0");
        // Socket.IO payloads name it conversationId: a snake_case one is not read.
        assertRefused("{\"conversation_id\":3}", SOCKET_IO, "conversationId", "conversationId: required");
        assertThat(SendRequest.parse(json("{\"conversation_id\":\"42\"}"), WS).conversationId()).isEqualTo(42);
    }

    @Test
    void aClientIdThatIsNotAStringIsRefusedOnEveryTransport() throws Exception {
        for (String bad : new String[] {"5", "true", "{}", "[]"}) {
            assertRefused("{\"conversation_id\":1,\"client_id\":" + bad + "}", WS, "client_id", "client_id: must be a string");
            assertRefused("{\"conversationId\":1,\"clientId\":" + bad + "}", SOCKET_IO, "clientId", "clientId: must be a string");
        }
        // Its length is the service's to judge (1-64 characters).
        assertThat(SendRequest.parse(json("{\"conversation_id\":1,\"client_id\":\"\"}"), WS).clientId()).isEmpty();
    }

    @Test
    void theFirstMalformedFieldNamedIsTheClientIdThenTheConversationIdThenTheContent() {
        // /ws/chat
        assertRefused("{\"conversation_id\":\"x\",\"client_id\":5,\"content\":5}", WS, "client_id", "client_id: must be a string");
        assertRefused("{\"conversation_id\":\"x\",\"content\":5}", WS, "conversation_id", "conversation_id: must be a number >= 0");
        // Socket.IO alike.
        assertRefused("{\"conversationId\":\"x\",\"clientId\":5,\"content\":5}", SOCKET_IO, "clientId",
                "clientId: must be a string");
        assertRefused("{\"conversationId\":\"x\",\"content\":5}", SOCKET_IO, "conversationId",
                "conversationId: must be a number >= 0");
    }

    @Test
    void aMessageTypeThatIsNotAStringIsTheDefaultType() throws Exception {
        assertThat(SendRequest.parse(json("{\"conversation_id\":1,\"message_type\":7}"), WS).messageType()).isNull();
        assertThat(SendRequest.parse(json("{\"conversationId\":1,\"messageType\":[]}"), SOCKET_IO).messageType()).isNull();
    }

    @Test
    void anHttpBodyTakesItsConversationFromThePathAndRefusesAMessageTypeThatIsNotAString() throws Exception {
        assertThat(SendRequest.parse(9, json("{\"conversation_id\":1,\"content\":\"hi\",\"client_id\":\"c\"}"), HTTP))
                .isEqualTo(new SendRequest(9, "hi", "c", null));
        assertThat(SendRequest.parse(9, json("{\"message_type\":\"note\"}"), HTTP)).isEqualTo(new SendRequest(9, null, null, "note"));
        assertThatThrownBy(() -> SendRequest.parse(9, json("{\"content\":\"hi\",\"message_type\":7}"), HTTP))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.field()).isEqualTo("message_type"));
        // The same order as everywhere: client id, content, message type.
        assertThatThrownBy(() -> SendRequest.parse(9, json("{\"client_id\":1,\"content\":2,\"message_type\":3}"), HTTP))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.field()).isEqualTo("client_id"));
        assertThatThrownBy(() -> SendRequest.parse(9, json("{\"content\":2,\"message_type\":3}"), HTTP))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.field()).isEqualTo("content"));
    }
}
