package dev.herald.server.push;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.notify.ValidationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PushTemplateTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void placeholdersAreFilledFromTheNotificationsFieldsAndMissingOnesFillInAsNothing() throws Exception {
        var n = json.readTree("{\"type\":\"order_ready\",\"order_id\":17,\"counter\":\"B\",\"sender\":{\"name\":\"Ana\"},"
                + "\"items\":[1,2],\"gone\":null}");
        assertThat(PushTemplate.render("Order {{order_id}} at {{counter}} from {{sender.name}}", n))
                .isEqualTo("Order 17 at B from Ana");
        assertThat(PushTemplate.render("[{{missing}}][{{items}}][{{gone}}][{{sender}}]", n)).isEqualTo("[][][][]");
        assertThat(PushTemplate.render("$1 \\\\ {{counter}}", n)).isEqualTo("$1 \\\\ B");
        assertThat(PushTemplate.render(null, n)).isNull();
    }

    @Test
    void aTemplateIsValidatedNamingTheField() throws Exception {
        PushTemplate t = PushTemplate.parse("order_ready", json.readTree(
                "{\"title\":\"Order {{order_id}}\",\"url\":\"/orders/{{order_id}}\",\"icon\":\"https://cdn.example/{{kind}}.png\"}"));
        assertThat(t.title()).isEqualTo("Order {{order_id}}");
        String[][] refused = {{"{}", "body"}, {"[]", "body"}, {"{\"sound\":\"x\"}", "sound"},
                {"{\"title\":\"{{ bad }}\"}", "title"}, {"{\"title\":\"{{a}\"}", "title"}, {"{\"title\":\"\"}", "title"},
                {"{\"body\":" + "\"" + "b".repeat(1001) + "\"}", "body"}, {"{\"icon\":\"http://x.example/i.png\"}", "icon"},
                {"{\"url\":\"{{link}}\"}", "url"}, {"{\"url\":\"//evil.example\"}", "url"}, {"{\"title\":7}", "title"}};
        for (String[] c : refused) {
            assertThatThrownBy(() -> PushTemplate.parse("t", json.readTree(c[0]))).as(c[0])
                    .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo(c[1]));
        }
        assertThatThrownBy(() -> PushTemplate.checkType("bad\ntype")).isInstanceOf(ValidationException.class);
    }
}
