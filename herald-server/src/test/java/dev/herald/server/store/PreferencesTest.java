package dev.herald.server.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.store.Preferences.InvalidPreferencesException;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PreferencesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final InboxCategory ORDERS = new InboxCategory("orders", true, true, false, "");
    private static final InboxCategory MARKETING = new InboxCategory("marketing", false, true, false, "");
    private static final InboxCategory SECURITY = new InboxCategory("security", true, true, true, "");

    private static Preferences parse(String json) throws Exception {
        return Preferences.parse(JSON.readTree(json));
    }

    @Test
    void theTypeWinsOverTheCategoryWhichWinsOverTheAppsDefaultWhichWinsOverTheChannel() throws Exception {
        Preferences p = parse("{\"channels\":{\"in_app\":false},\"categories\":{\"orders\":{\"in_app\":true},"
                + "\"marketing\":{\"in_app\":true}},\"types\":{\"order_spam\":{\"in_app\":false}}}");

        assertThat(p.allows("in_app", ORDERS, "order_created")).isTrue();
        assertThat(p.allows("in_app", ORDERS, "order_spam")).as("the type's setting").isFalse();
        assertThat(p.allows("in_app", MARKETING, "promo")).as("the user's category setting beats the app's default").isTrue();
        assertThat(p.allows("in_app", null, "anything")).as("the channel setting").isFalse();
        assertThat(Preferences.DEFAULT.allows("in_app", MARKETING, "promo")).as("the app's default").isFalse();
        assertThat(Preferences.DEFAULT.allows("in_app", ORDERS, "x")).isTrue();
        assertThat(Preferences.DEFAULT.allows("in_app", null, "x")).isTrue();
    }

    @Test
    void aUsersCategorySettingCountsAlsoForACategoryTheAppNeverConfigured() throws Exception {
        Preferences p = parse("{\"categories\":{\"news\":{\"in_app\":false}}}");
        assertThat(p.allows("in_app", "news", null, "general_announcement")).isFalse();
        assertThat(p.allows("push", "news", null, "general_announcement")).isTrue();
        assertThat(p.allows("in_app", "orders", null, "order_created")).isTrue();
    }

    @Test
    void aCriticalCategoryReachesEvenAUserWhoTurnedEverythingOff() throws Exception {
        Preferences off = parse("{\"enabled\":false,\"categories\":{\"security\":{\"in_app\":false}}}");
        assertThat(off.allows("in_app", SECURITY, "login_alert")).isTrue();
        assertThat(off.allows("in_app", ORDERS, "order_created")).isFalse();
        assertThat(off.allows("in_app", null, "x")).isFalse();
    }

    @Test
    void quietHoursWrapPastMidnightInTheUsersTimeZone() throws Exception {
        Preferences p = parse("{\"quiet_hours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"time_zone\":\"Europe/Berlin\"}}");
        assertThat(p.quietHours().contains(Instant.parse("2026-12-07T22:30:00Z"))).isTrue();   // 23:30 in Berlin
        assertThat(p.quietHours().contains(Instant.parse("2026-12-07T05:59:00Z"))).isTrue();   // 06:59
        assertThat(p.quietHours().contains(Instant.parse("2026-12-07T06:00:00Z"))).isFalse();  // 07:00
        assertThat(p.quietHours().contains(Instant.parse("2026-12-07T20:59:00Z"))).isFalse();  // 21:59
        Preferences day = parse("{\"quiet_hours\":{\"start\":\"09:00\",\"end\":\"17:00\",\"time_zone\":\"UTC\"}}");
        assertThat(day.quietHours().contains(Instant.parse("2026-12-07T12:00:00Z"))).isTrue();
        assertThat(day.quietHours().contains(Instant.parse("2026-12-07T18:00:00Z"))).isFalse();
    }

    @Test
    void theDocumentRoundTripsInTheShapeItWasGiven() throws Exception {
        String doc = "{\"enabled\":true,\"channels\":{\"in_app\":true,\"push\":false},\"categories\":{\"orders\":{\"push\":true}},"
                + "\"types\":{\"promo\":{\"in_app\":false}},\"quiet_hours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"time_zone\":\"Europe/Berlin\"}}";
        assertThat(parse(doc).toJson().toString()).isEqualTo(doc);
        assertThat(Preferences.parse(parse(doc).toJson().toString())).isEqualTo(parse(doc));
        assertThat(parse("{}").toJson().toString())
                .isEqualTo("{\"enabled\":true,\"channels\":{},\"categories\":{},\"types\":{},\"quiet_hours\":null}");
    }

    @Test
    void everyBadPartIsNamed() {
        assertRefused("[]", "body");
        assertRefused("{\"colour\":1}", "colour");
        assertRefused("{\"enabled\":\"yes\"}", "enabled");
        assertRefused("{\"channels\":{\"sms\":true}}", "channels.sms");
        assertRefused("{\"channels\":{\"push\":1}}", "channels.push");
        assertRefused("{\"categories\":{\"bad name\":{}}}", "categories");
        assertRefused("{\"categories\":{\"orders\":{\"email\":false}}}", "categories.orders.email");
        assertRefused("{\"types\":[]}", "types");
        assertRefused("{\"quiet_hours\":{\"start\":\"22:00\",\"end\":\"07:00\"}}", "quiet_hours.time_zone");
        assertRefused("{\"quiet_hours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"time_zone\":\"Mars/Olympus\"}}", "quiet_hours.time_zone");
        assertRefused("{\"quiet_hours\":{\"start\":\"25:00\",\"end\":\"07:00\",\"time_zone\":\"UTC\"}}", "quiet_hours.start");
        assertRefused("{\"quiet_hours\":{\"start\":\"7pm\",\"end\":\"07:00\",\"time_zone\":\"UTC\"}}", "quiet_hours.start");
        assertRefused("{\"quiet_hours\":{\"start\":\"07:00\",\"end\":\"07:00\",\"time_zone\":\"UTC\"}}", "quiet_hours.end");
        StringBuilder many = new StringBuilder("{\"types\":{");
        for (int i = 0; i <= Preferences.MAX_ENTRIES; i++) {
            many.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{}");
        }
        assertRefused(many.append("}}").toString(), "types");
    }

    private static void assertRefused(String json, String field) {
        assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(InvalidPreferencesException.class,
                e -> assertThat(e.field()).isEqualTo(field));
    }
}
