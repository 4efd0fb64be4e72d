package dev.herald.server.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PublishCommandTest {
    private final ObjectMapper json = new ObjectMapper();

    private PublishCommand parse(String body) throws Exception {
        return PublishCommand.parse(json.readTree(body), 64 * 1024, json);
    }

    private void assertRefused(String body, String field) {
        assertThatThrownBy(() -> parse(body))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo(field));
    }

    @Test
    void aUserTargetBecomesTheUsersStreamAndTypeComesFirst() throws Exception {
        PublishCommand c = parse("{\"to\":{\"user\":42},\"notification\":{\"message\":\"hi\",\"type\":\"order_created\",\"order_id\":1001}}");
        assertThat(c.streams()).containsExactly("user:42");
        assertThat(c.allUsers()).isFalse();
        assertThat(c.type()).isEqualTo("order_created");
        assertThat(c.json()).isEqualTo("{\"type\":\"order_created\",\"message\":\"hi\",\"order_id\":1001}");
    }

    @Test
    void usersAreDeduplicatedTopicsAndAllAreAccepted() throws Exception {
        assertThat(parse("{\"to\":{\"users\":[\"1\",2,\"1\"]},\"notification\":{\"type\":\"t\"}}").streams())
                .isEqualTo(List.of("user:1", "user:2"));
        assertThat(parse("{\"to\":{\"topic\":\"branch:7\"},\"notification\":{\"type\":\"t\"}}").streams())
                .containsExactly("branch:7");
        PublishCommand all = parse("{\"to\":{\"all\":true},\"notification\":{\"type\":\"t\"}}");
        assertThat(all.allUsers()).isTrue();
        assertThat(all.streams()).isEmpty();
    }

    @Test
    void categoryTagsAndExpiryGoIntoTheNotificationAfterItsType() throws Exception {
        java.time.Instant now = java.time.Instant.parse("2026-12-07T10:00:00.123456Z");
        PublishCommand ttl = PublishCommand.parse(json.readTree("{\"to\":{\"user\":1},\"category\":\"orders\","
                + "\"tags\":[\"a\",\"b\",\"a\"],\"ttl\":60,\"notification\":{\"m\":1,\"type\":\"t\"}}"), 1024, json, now);
        assertThat(ttl.category()).isEqualTo("orders");
        assertThat(ttl.tags()).containsExactly("a", "b");
        assertThat(ttl.expiresAt()).isEqualTo(java.time.Instant.parse("2026-12-07T10:01:00.123Z"));
        assertThat(ttl.json()).isEqualTo("{\"type\":\"t\",\"category\":\"orders\",\"tags\":[\"a\",\"b\"],"
                + "\"expires_at\":\"2026-12-07T10:01:00.123Z\",\"m\":1}");
        PublishCommand at = PublishCommand.parse(json.readTree("{\"to\":{\"user\":1},\"expires_at\":\"2026-12-08T00:00:00Z\","
                + "\"notification\":{\"type\":\"t\"}}"), 1024, json, now);
        assertThat(at.expiresAt()).isEqualTo(java.time.Instant.parse("2026-12-08T00:00:00Z"));
        assertThat(parse("{\"to\":{\"user\":1},\"notification\":{\"type\":\"t\",\"category\":\"Mine, not Herald's\"}}").category())
                .as("without the publish's category, the app's own field is just a field").isNull();
    }

    @Test
    void aGroupKeyGoesIntoTheNotificationAndItsWindowDefaultsToAnHour() throws Exception {
        PublishCommand c = parse("{\"to\":{\"user\":1},\"group_key\":\"chat:12\",\"notification\":{\"type\":\"new_message\"}}");
        assertThat(c.group()).isEqualTo(new PublishCommand.Group("chat:12", java.time.Duration.ofHours(1)));
        assertThat(c.json()).isEqualTo("{\"type\":\"new_message\",\"group_key\":\"chat:12\"}");
        assertThat(parse("{\"to\":{\"user\":1},\"group_key\":\"k\",\"group_window\":60,\"notification\":{\"type\":\"t\"}}")
                .group().window()).isEqualTo(java.time.Duration.ofMinutes(1));
        assertRefused("{\"to\":{\"user\":1},\"group_window\":60,\"notification\":{\"type\":\"t\"}}", "group_window");
        assertRefused("{\"to\":{\"user\":1},\"group_key\":\"k\",\"group_window\":0,\"notification\":{\"type\":\"t\"}}", "group_window");
        assertRefused("{\"to\":{\"user\":1},\"group_key\":\"k\",\"group_window\":999999,\"notification\":{\"type\":\"t\"}}", "group_window");
        assertRefused("{\"to\":{\"user\":1},\"group_key\":\"\",\"notification\":{\"type\":\"t\"}}", "group_key");
        assertRefused("{\"to\":{\"user\":1},\"group_key\":5,\"notification\":{\"type\":\"t\"}}", "group_key");
        assertRefused("{\"to\":{\"user\":1},\"notification\":{\"type\":\"t\",\"group_count\":2}}", "notification.group_count");
    }

    @Test
    void badExpiriesAreNamed() {
        assertRefused("{\"to\":{\"user\":1},\"ttl\":60,\"expires_at\":\"2099-01-01T00:00:00Z\",\"notification\":{\"type\":\"t\"}}", "ttl");
        assertRefused("{\"to\":{\"user\":1},\"ttl\":0,\"notification\":{\"type\":\"t\"}}", "ttl");
        assertRefused("{\"to\":{\"user\":1},\"ttl\":1.5,\"notification\":{\"type\":\"t\"}}", "ttl");
        assertRefused("{\"to\":{\"user\":1},\"ttl\":\"60\",\"notification\":{\"type\":\"t\"}}", "ttl");
        assertRefused("{\"to\":{\"user\":1},\"ttl\":999999999999,\"notification\":{\"type\":\"t\"}}", "ttl");
        assertRefused("{\"to\":{\"user\":1},\"expires_at\":\"2020-01-01T00:00:00Z\",\"notification\":{\"type\":\"t\"}}", "expires_at");
        assertRefused("{\"to\":{\"user\":1},\"expires_at\":\"tomorrow\",\"notification\":{\"type\":\"t\"}}", "expires_at");
        assertRefused("{\"to\":{\"user\":1},\"expires_at\":\"2999-01-01T00:00:00Z\",\"notification\":{\"type\":\"t\"}}", "expires_at");
        assertRefused("{\"to\":{\"user\":1},\"notification\":{\"type\":\"t\",\"expires_at\":\"x\"}}", "notification.expires_at");
    }

    @Test
    void eachBadFieldIsNamed() {
        assertRefused("[]", "body");
        assertRefused("{\"notification\":{\"type\":\"t\"}}", "to");
        assertRefused("{\"to\":{},\"notification\":{\"type\":\"t\"}}", "to");
        assertRefused("{\"to\":{\"user\":\"1\",\"topic\":\"a:b\"},\"notification\":{\"type\":\"t\"}}", "to");
        assertRefused("{\"to\":{\"user\":\"bad id!\"},\"notification\":{\"type\":\"t\"}}", "to.user");
        assertRefused("{\"to\":{\"users\":[]},\"notification\":{\"type\":\"t\"}}", "to.users");
        assertRefused("{\"to\":{\"topic\":\"nocolon\"},\"notification\":{\"type\":\"t\"}}", "to.topic");
        assertRefused("{\"to\":{\"topic\":\"user:5\"},\"notification\":{\"type\":\"t\"}}", "to.topic");
        assertRefused("{\"to\":{\"all\":false},\"notification\":{\"type\":\"t\"}}", "to.all");
        assertRefused("{\"to\":{\"user\":\"1\"}}", "notification");
        assertRefused("{\"to\":{\"user\":\"1\"},\"notification\":{\"message\":\"no type\"}}", "notification.type");
        assertRefused("{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"\"}}", "notification.type");
        assertRefused("{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"unread_count\"}}", "notification.type");
        assertRefused("{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\",\"seq\":3}}", "notification.seq");
        assertRefused("{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\",\"id\":\"x\"}}", "notification.id");
    }

    @Test
    void aNotificationOverTheSizeLimitIsRefused() throws Exception {
        String big = "x".repeat(2000);
        assertThatThrownBy(() -> PublishCommand.parse(
                json.readTree("{\"to\":{\"user\":\"1\"},\"notification\":{\"type\":\"t\",\"m\":\"" + big + "\"}}"), 1000, json))
                .isInstanceOf(ValidationException.class).hasMessageContaining("larger than 1000 bytes");
    }
}
