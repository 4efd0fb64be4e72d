package dev.herald.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Preferences over real sockets: a user sets their own, an app backend sets categories and anyone's
 * preferences, a publish honours them and says who it muted, and a muted notification is neither
 * stored nor sent.
 */
class PreferencesEndToEndTest {
    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension();

    private static Api api() {
        return node.server().api;
    }

    private static String token(String user) {
        return node.server().tokens.forUser(user);
    }

    private static Api.Reply asBackend(String method, String path, String body) {
        return api().send(method, path, body, Map.of("Authorization", "Bearer " + TestServer.API_KEY));
    }

    @Test
    void aUserMutesACategoryAndTheNextPublishSkipsThemSaysSoAndNeverReachesTheirSocket() {
        assertThat(asBackend("PUT", "/api/v1/categories/marketing", "{\"description\":\"Offers\"}").status()).isEqualTo(200);
        Api.Reply set = api().asUser("PUT", "/api/v1/me/preferences", token("mia"),
                "{\"categories\":{\"marketing\":{\"in_app\":false,\"push\":true}}}");
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().get("preferences").get("categories").get("marketing").get("in_app").asBoolean()).isFalse();
        assertThat(set.json().get("categories").findValuesAsText("name")).contains("marketing");

        try (WsClient ws = node.server().connectAs("mia", "/ws/notifications")) {
            ws.nextOfType("connected", Duration.ofSeconds(5));
            Api.Reply promo = api().publish("{\"to\":{\"users\":[\"mia\",\"noah\"]},\"category\":\"marketing\","
                    + "\"notification\":{\"type\":\"promo\"}}");
            assertThat(promo.status()).isEqualTo(201);
            assertThat(promo.json().get("muted")).extracting(JsonNode::asText).containsExactly("mia");
            assertThat(promo.json().get("notifications").findValuesAsText("stream")).containsExactly("user:noah");
            api().publish("{\"to\":{\"user\":\"mia\"},\"notification\":{\"type\":\"order_created\"}}");

            JsonNode next = ws.nextOfType("order_created", Duration.ofSeconds(5));
            assertThat(next.get("seq").asLong()).as("the muted one took no seq and was never sent").isEqualTo(1);
            assertThat(api().asUser("GET", "/api/v1/me/notifications", token("mia"), null).json()
                    .get("notifications")).hasSize(1);
        }
        Api.Reply all = api().publish("{\"to\":{\"all\":true},\"category\":\"marketing\",\"notification\":{\"type\":\"promo\"}}");
        assertThat(all.json().get("muted_count").asInt()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aCriticalCategoryReachesAUserWhoTurnedEverythingOffAndABackendSetsAnyonesPreferences() {
        assertThat(asBackend("PUT", "/api/v1/categories/security", "{\"critical\":true}").json()
                .get("category").get("critical").asBoolean()).isTrue();
        Api.Reply off = asBackend("PUT", "/api/v1/users/olga/preferences", "{\"enabled\":false}");
        assertThat(off.status()).as(off.body()).isEqualTo(200);
        assertThat(asBackend("GET", "/api/v1/users/olga/preferences", null).json().get("preferences").get("enabled")
                .asBoolean()).isFalse();
        assertThat(api().asUser("GET", "/api/v1/me/preferences", token("olga"), null).json().get("preferences")
                .get("enabled").asBoolean()).isFalse();

        assertThat(api().publish("{\"to\":{\"user\":\"olga\"},\"notification\":{\"type\":\"promo\"}}").json()
                .get("muted")).hasSize(1);
        assertThat(api().publish("{\"to\":{\"user\":\"olga\"},\"category\":\"security\",\"notification\":{\"type\":\"login\"}}")
                .json().get("muted")).isEmpty();
        assertThat(asBackend("DELETE", "/api/v1/categories/security", null).status()).isEqualTo(200);
        assertThat(asBackend("DELETE", "/api/v1/categories/security", null).status()).isEqualTo(404);
        assertThat(asBackend("GET", "/api/v1/categories", null).json().get("categories").findValuesAsText("name"))
                .doesNotContain("security");
    }

    @Test
    void badDocumentsAndCredentialsAreRefused() {
        String t = token("pat");
        assertBad(api().asUser("PUT", "/api/v1/me/preferences", t, "{\"channels\":{\"sms\":true}}"), "channels.sms");
        assertBad(api().asUser("PUT", "/api/v1/me/preferences", t,
                "{\"quiet_hours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"time_zone\":\"Nowhere/Land\"}}"), "quiet_hours.time_zone");
        assertBad(asBackend("PUT", "/api/v1/categories/orders", "{\"critical\":\"yes\"}"), "critical");
        assertBad(asBackend("PUT", "/api/v1/categories/orders", "{\"colour\":1}"), "colour");
        assertThat(asBackend("PUT", "/api/v1/categories/bad%20name", "{}").status()).isEqualTo(400);
        assertThat(asBackend("GET", "/api/v1/users/bad%20id/preferences", null).status()).isEqualTo(400);
        assertThat(api().asUser("PUT", "/api/v1/categories/orders", t, "{}").status()).as("users may not").isEqualTo(401);
        assertThat(api().asUser("GET", "/api/v1/users/pat/preferences", t, null).status()).isEqualTo(401);
        assertThat(api().asUser("GET", "/api/v1/me/preferences", t, null).json().get("preferences").toString())
                .as("nothing stored by the refusals")
                .isEqualTo("{\"enabled\":true,\"channels\":{},\"categories\":{},\"types\":{},\"quiet_hours\":null}");
    }

    private static void assertBad(Api.Reply r, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("field").asText()).isEqualTo(field);
    }
}
