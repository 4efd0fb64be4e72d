package dev.herald.server.push;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.store.PushPolicy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class PushMessagesTest {
    private final ObjectMapper json = new ObjectMapper();
    private final PushReceipts receipts = new PushReceipts(new byte[32]);
    private final PushMessages messages = new PushMessages(json, receipts, type -> java.util.Optional.empty());
    private final Instant now = Instant.parse("2026-12-07T10:00:00Z");
    private final PushDevice device = new PushDevice("d_1", "user:42", PushPlatform.WEBPUSH, "https://push.example/x",
            "k", "a", null, false, now);

    private PushJob job(String options, String collapseKey) {
        return new PushJob(1, "user:42", 7, "n-7", null, PushPolicy.ALWAYS, collapseKey, options, 0, now);
    }

    @Test
    void textsComeFromThePublishsPushFieldsFirstThenTheNotification() {
        PushedNotification n = new PushedNotification("{\"type\":\"order_ready\",\"title\":\"Order 17\",\"message\":\"Table 4\","
                + "\"url\":\"/orders/17\",\"icon\":\"http://insecure.example/i.png\"}", "order_ready", null, false, 3);
        PushMessage m = messages.build(job(null, null), n, device, now);
        assertThat(m.title()).isEqualTo("Order 17");
        assertThat(m.body()).isEqualTo("Table 4");
        assertThat(m.url()).isEqualTo("/orders/17");
        assertThat(m.icon()).as("an icon must be https").isNull();
        assertThat(m.badge()).isEqualTo(3);
        assertThat(m.ttl()).isEqualTo(PushMessages.DEFAULT_TTL);
        assertThat(m.urgency()).isEqualTo(PushUrgency.NORMAL);
        assertThat(receipts.verify(m.receipt(), now)).contains(new PushReceipts.Receipt("user:42", "n-7", "d_1"));

        PushMessage o = messages.build(job("{\"title\":\"Ready!\",\"body\":\"Come\",\"ttl\":60,\"urgency\":\"high\","
                + "\"icon\":\"https://cdn.example/i.png\"}", "order-17"), n, device, now);
        assertThat(o.title()).isEqualTo("Ready!");
        assertThat(o.body()).isEqualTo("Come");
        assertThat(o.icon()).isEqualTo("https://cdn.example/i.png");
        assertThat(o.ttl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.urgency()).isEqualTo(PushUrgency.HIGH);
        assertThat(o.toJson().get("tag").asText()).isEqualTo("order-17");
    }

    @Test
    void withoutATitleTheTypeReadsAsWordsAndTheTtlStopsAtTheExpiry() {
        PushedNotification n = new PushedNotification("{\"type\":\"payment_failed\",\"expires_at\":\"2026-12-07T10:10:00Z\"}",
                "payment_failed", null, false, 0);
        PushMessage m = messages.build(job(null, null), n, device, now);
        assertThat(m.title()).isEqualTo("Payment failed");
        assertThat(m.body()).isEmpty();
        assertThat(m.ttl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(m.toJson().get("tag").asText()).as("without a collapse key a push replaces only itself").isEqualTo("n-7");
    }

    @Test
    void aTypesTemplateComesAfterThePublishsFieldsAndBeforeTheNotificationsOwn() {
        PushTemplate template = new PushTemplate("order_ready", "Order {{order_id}} is ready", "At {{counter}}", null,
                "/orders/{{order_id}}");
        PushMessages templated = new PushMessages(json, receipts,
                type -> type.equals("order_ready") ? java.util.Optional.of(template) : java.util.Optional.empty());
        PushedNotification n = new PushedNotification("{\"type\":\"order_ready\",\"order_id\":17,\"counter\":\"B\","
                + "\"title\":\"own title\",\"body\":\"own body\"}", "order_ready", null, false, 1);
        PushMessage m = templated.build(job(null, null), n, device, now);
        assertThat(m.title()).isEqualTo("Order 17 is ready");
        assertThat(m.body()).isEqualTo("At B");
        assertThat(m.url()).isEqualTo("/orders/17");
        PushMessage o = templated.build(job("{\"title\":\"From the publish\"}", null), n, device, now);
        assertThat(o.title()).isEqualTo("From the publish");
        assertThat(o.body()).isEqualTo("At B");
    }

    @Test
    void aLongMessageIsCutToFitEveryProvider() {
        String big = "é".repeat(1000);
        PushedNotification n = new PushedNotification("{\"type\":\"t\",\"title\":\"" + "T".repeat(500) + "\",\"body\":\"" + big
                + "\",\"url\":\"https://app.example/" + "p".repeat(900) + "\"}", "t", null, false, 0);
        PushMessage m = messages.build(job(null, null), n, device, now);
        assertThat(m.toJson().toString().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(PushMessages.MAX_PAYLOAD_BYTES);
        assertThat(m.title().length()).isLessThanOrEqualTo(200);
        assertThat(m.body()).endsWith("…").startsWith("éé");
    }
}
