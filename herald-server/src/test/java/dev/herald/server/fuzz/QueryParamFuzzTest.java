package dev.herald.server.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Principal;
import dev.herald.server.chat.ChatException;
import dev.herald.server.chat.ChatFields;
import dev.herald.server.delivery.TypeFilter;
import dev.herald.server.transport.StreamRequest;
import dev.herald.server.transport.ApiException;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The small decoders of connection parameters and frame fields:
 * <ul>
 *   <li>{@code types=} filters ({@link TypeFilter#parse}): a filter or
 *       {@link IllegalArgumentException} (answered 400);</li>
 *   <li>the stream a connection asks for, with {@code since} or an SSE {@code Last-Event-ID}
 *       resume cursor ({@link StreamRequest#parse}): a request or {@link ApiException} 400/403;</li>
 *   <li>numeric fields of chat frames such as {@code conversation_id}, {@code seq} and
 *       {@code since} ({@link ChatFields}): a number or {@link ChatException}.</li>
 * </ul>
 */
class QueryParamFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Principal USER = new Principal("u1", null, Set.of("branch:7"), null);

    @FuzzTest(maxDuration = "1m")
    void typeFiltersParseOrAreRefusedAsIllegalArguments(FuzzedDataProvider data) {
        String spec = data.consumeString(600);
        TypeFilter filter;
        try {
            filter = TypeFilter.parse(spec);
        } catch (IllegalArgumentException expected) {
            return;
        }
        filter.matches(data.consumeRemainingAsString());
    }

    @FuzzTest(maxDuration = "1m")
    void streamRequestsParseOrAreRefusedAsBadRequestsOrForbidden(FuzzedDataProvider data) {
        Map<String, List<String>> query = new HashMap<>();
        for (String name : List.of("type", "id", "since", "types")) {
            if (data.consumeBoolean()) {
                query.put(name, List.of(data.consumeString(80)));
            }
        }
        String lastEventId = data.consumeBoolean() ? data.consumeRemainingAsString() : null;
        StreamRequest request;
        try {
            request = StreamRequest.parse(USER, query, lastEventId);
        } catch (ApiException e) {
            assertThat(e.status().code()).as(e.getMessage()).isIn(400, 403);
            return;
        }
        assertThat(request.since()).isGreaterThanOrEqualTo(-1);
        assertThat(request.stream()).isIn("user:u1", "branch:7");
    }

    @FuzzTest(maxDuration = "1m")
    void chatFrameNumbersParseOrAreRefusedAsChatErrors(byte[] input) {
        JsonNode node;
        try {
            node = JSON.readTree(new String(input, StandardCharsets.UTF_8));
        } catch (JacksonException notJson) {
            return;
        }
        if (!(node instanceof ObjectNode frame)) {
            return;
        }
        for (String field : List.of("conversation_id", "seq", "since", "message_id")) {
            try {
                assertThat(ChatFields.number(frame, field)).isNotNegative();
                assertThat(ChatFields.positive(frame, field)).isPositive();
            } catch (ChatException expected) {
                assertThat(expected.field()).isEqualTo(field);
            }
        }
    }
}
