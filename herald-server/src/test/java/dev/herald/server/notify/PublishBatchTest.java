package dev.herald.server.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The batch body alone, without a node: what the batch route hands to the service. */
class PublishBatchTest {
    private final ObjectMapper json = new ObjectMapper();

    private PublishBatch parse(String body) throws Exception {
        return PublishBatch.parse(json.readTree(body), 64 * 1024, json);
    }

    private void assertRefused(String body, String field) {
        assertThatThrownBy(() -> parse(body))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo(field));
    }

    @Test
    void eachItemBecomesACommandWithItsKeyAndTheFingerprintOfItsJson() throws Exception {
        String keyed = "{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\"},\"idempotency_key\":\" k1 \"}";
        PublishBatch batch = parse("{\"publishes\":[" + keyed
                + ",{\"to\":{\"topic\":\"branch:7\"},\"notification\":{\"type\":\"u\"}}]}");

        assertThat(batch.commands()).extracting(PublishCommand::type).containsExactly("t", "u");
        assertThat(batch.commands().get(1).streams()).containsExactly("branch:7");
        assertThat(batch.keys()).containsExactly("k1", null);
        assertThat(batch.hashes()).containsExactly(
                Idempotency.fingerprint(json.readTree(keyed).toString().getBytes(StandardCharsets.UTF_8)), null);
    }

    @Test
    void eachBadFieldIsNamedWithItsItem() {
        assertRefused("[]", "body");
        assertRefused("{}", "publishes");
        assertRefused("{\"publishes\":[]}", "publishes");
        assertRefused("{\"publishes\":[],\"extra\":1}", "extra");
        assertRefused("{\"publishes\":[1]}", "publishes[0]");
        assertRefused("{\"publishes\":[{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\"},"
                + "\"deliver_at\":\"2099-01-01T00:00:00Z\"}]}", "publishes[0].deliver_at");
        assertRefused("{\"publishes\":[{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\"},\"ttl\":0}]}",
                "publishes[0].ttl");
        assertRefused("{\"publishes\":[{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\"}},"
                + "{\"to\":{\"user\":\"bad id!\"},\"notification\":{\"type\":\"t\"}}]}", "publishes[1].to.user");
        assertRefused("{\"publishes\":[{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\"},\"idempotency_key\":7}]}",
                "publishes[0].idempotency_key");
        assertRefused("{\"publishes\":[{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\"},\"idempotency_key\":\"  \"}]}",
                "publishes[0].idempotency_key");
        assertRefused("{\"publishes\":[{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\"},\"idempotency_key\":\"k\"},"
                + "{\"to\":{\"user\":\"2\"},\"notification\":{\"type\":\"t\"},\"idempotency_key\":\"k\"}]}",
                "publishes[1].idempotency_key");
    }

    @Test
    void aBatchIsBoundedInPublishesAndInTargetStreams() {
        StringJoiner tooMany = new StringJoiner(",", "{\"publishes\":[", "]}");
        for (int i = 0; i <= PublishBatch.MAX_BATCH; i++) {
            tooMany.add("{\"to\":{\"user\":\"m\"},\"notification\":{\"type\":\"t\"}}");
        }
        assertRefused(tooMany.toString(), "publishes");

        int half = PublishCommand.MAX_USERS / 2 + 1;
        String[] ids = new String[half];
        Arrays.setAll(ids, i -> "\"u" + i + "\"");
        String item = "{\"to\":{\"users\":[" + String.join(",", ids) + "]},\"notification\":{\"type\":\"t\"}}";
        assertThatThrownBy(() -> parse("{\"publishes\":[" + item + "," + item + "]}"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("counted up to publishes[1]");
    }
}
