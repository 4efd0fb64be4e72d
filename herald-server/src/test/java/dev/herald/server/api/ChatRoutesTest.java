package dev.herald.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.chat.ChatError;
import dev.herald.server.chat.ChatException;
import dev.herald.server.notify.ValidationException;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.TestServer;
import dev.herald.server.transport.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat API's answers to refused requests: every chat error code has its HTTP status, and a
 * send over HTTP is read by the same {@code SendRequest} as on the sockets, with the answers the
 * API has always given.
 */
class ChatRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @EnumSource(ChatException.Code.class)
    void everyChatRefusalHasAClientErrorStatus(ChatException.Code code) {
        RuntimeException answer = ChatRoutes.refusal(ChatError.of(new ChatException(code, "seq", "seq: why")));

        int status = switch (code) {
            case CONVERSATION_NOT_FOUND, MESSAGE_NOT_FOUND -> 404;
            case RATE_LIMITED -> 429;
            case INVALID_FIELD, CONTENT_TOO_LONG -> 400;
        };
        if (status == 400) {
            assertThat(answer).isInstanceOfSatisfying(ValidationException.class, e -> {
                assertThat(e.field()).isEqualTo("seq");
                assertThat(e.reason()).isEqualTo("why");
            });
        } else {
            assertThat(answer).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.status().code()).isEqualTo(status);
                assertThat(e.getMessage()).isEqualTo("seq: why");
            });
        }
    }

    @Test
    void aCodeWithoutAnHttpStatusIsAnInternalErrorThatTellsNothing() {
        RuntimeException answer = ChatRoutes.refusal(new ChatError("something_new", "secret detail", null));

        assertThat(answer).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status().code()).isEqualTo(500);
            assertThat(e.getMessage()).isEqualTo("internal error");
        });
    }

    @Test
    void malformedSendsOverHttpAre400sNamingTheFieldAndStoreNothing() {
        try (TestServer server = TestServer.start()) {
            String token = server.tokens.forUser("http-a");
            Api.Reply created = server.api.asUser("POST", "/api/v1/conversations", token,
                    "{\"kind\":\"direct\",\"members\":[\"http-b\"]}");
            String messages = "/api/v1/conversations/" + created.json().get("conversation").get("id").asLong()
                    + "/messages";
            Map<String, String> refusals = Map.of(
                    "{}", "{\"error\":\"content: required: the message text\",\"field\":\"content\"}",
                    "{\"content\":null}", "{\"error\":\"content: required: the message text\",\"field\":\"content\"}",
                    "{\"content\":\"   \"}", "{\"error\":\"content: must not be empty\",\"field\":\"content\"}",
                    "{\"content\":5}", "{\"error\":\"content: must be a string\",\"field\":\"content\"}",
                    "{\"content\":\"hi\",\"client_id\":5}", "{\"error\":\"client_id: must be a string\",\"field\":\"client_id\"}",
                    "{\"content\":\"hi\",\"message_type\":7}",
                    "{\"error\":\"message_type: must be a string\",\"field\":\"message_type\"}",
                    "[\"hi\"]", "{\"error\":\"body: must be a JSON object\",\"field\":\"body\"}");
            refusals.forEach((body, answer) -> {
                Api.Reply r = server.api.asUser("POST", messages, token, body);
                assertThat(r.status()).as(body).isEqualTo(400);
                assertThat(r.json()).as(body).isEqualTo(json(answer));
            });
            assertThat(server.api.asUser("GET", messages, token, null).json().get("messages")).isEmpty();

            Api.Reply outsider = server.api.asUser("POST", messages, server.tokens.forUser("http-c"), "{\"content\":\"hi\"}");
            assertThat(outsider.status()).isEqualTo(404);
            Api.Reply sent = server.api.asUser("POST", messages, token,
                    "{\"content\":\"hi\",\"client_id\":\"h-1\",\"message_type\":\"note\"}");
            assertThat(sent.status()).isEqualTo(201);
            assertThat(sent.json().get("message").get("message_type").asText()).isEqualTo("note");
        }
    }
}
