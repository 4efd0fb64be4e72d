package dev.herald.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.store.PushPolicy;
import dev.herald.server.store.PushRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PushFieldsTest {
    private final ObjectMapper json = new ObjectMapper();

    private PushRequest parse(String text) throws Exception {
        return PushFields.parse(json.readTree(text), json);
    }

    @Test
    void trueFalseAndAbsent() throws Exception {
        assertThat(PushFields.parse(null, json)).isNull();
        assertThat(parse("null")).isNull();
        assertThat(parse("true").policy()).isEqualTo(PushPolicy.ALWAYS);
        assertThat(parse("false")).isEqualTo(PushRequest.NONE);
    }

    @Test
    void anObjectKeepsItsFieldsAsOptions() throws Exception {
        PushRequest r = parse("{\"policy\":\"if_unseen_after\",\"delay\":45,\"title\":\"T\",\"body\":\"B\",\"url\":\"/x\","
                + "\"icon\":\"https://cdn.example/i.png\",\"ttl\":0,\"urgency\":\"high\",\"collapse_key\":\"order-1\"}");
        assertThat(r.policy()).isEqualTo(PushPolicy.IF_UNSEEN_AFTER);
        assertThat(r.delay()).isEqualTo(Duration.ofSeconds(45));
        assertThat(r.collapseKey()).isEqualTo("order-1");
        JsonNode options = json.readTree(r.options());
        assertThat(options.get("title").asText()).isEqualTo("T");
        assertThat(options.get("ttl").asLong()).isZero();
        assertThat(options.get("urgency").asText()).isEqualTo("high");
        assertThat(parse("{\"policy\":\"if_unseen_after\"}").delay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(parse("{}").policy()).isEqualTo(PushPolicy.ALWAYS);
        assertThat(parse("{}").options()).isNull();
    }

    @Test
    void eachBadFieldIsNamed() {
        String[][] cases = {
                {"\"yes\"", "push"}, {"{\"policy\":\"sometimes\"}", "push.policy"}, {"{\"delay\":5}", "push.delay"},
                {"{\"policy\":\"if_unseen_after\",\"delay\":0}", "push.delay"},
                {"{\"policy\":\"if_unseen_after\",\"delay\":86401}", "push.delay"},
                {"{\"policy\":\"if_unseen_after\",\"delay\":1.5}", "push.delay"},
                {"{\"ttl\":-1}", "push.ttl"}, {"{\"ttl\":2419201}", "push.ttl"}, {"{\"ttl\":\"60\"}", "push.ttl"},
                {"{\"urgency\":\"now\"}", "push.urgency"}, {"{\"collapse_key\":\"has space\"}", "push.collapse_key"},
                {"{\"collapse_key\":\"" + "k".repeat(65) + "\"}", "push.collapse_key"},
                {"{\"title\":\"" + "t".repeat(201) + "\"}", "push.title"}, {"{\"body\":7}", "push.body"},
                {"{\"icon\":\"http://cdn.example/i.png\"}", "push.icon"}, {"{\"url\":\"javascript:alert(1)\"}", "push.url"},
                {"{\"url\":\"//evil.example/x\"}", "push.url"}, {"{\"url\":\"https://u:p@app.example/\"}", "push.url"},
                {"{\"sound\":\"ding\"}", "push.sound"}};
        for (String[] c : cases) {
            assertThatThrownBy(() -> parse(c[0])).as(c[0]).isInstanceOfSatisfying(ValidationException.class,
                    e -> assertThat(e.field()).isEqualTo(c[1]));
        }
    }
}
