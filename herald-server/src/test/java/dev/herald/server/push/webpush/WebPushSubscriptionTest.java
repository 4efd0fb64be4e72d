package dev.herald.server.push.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.notify.ValidationException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class WebPushSubscriptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENDPOINT = "https://fcm.googleapis.com/fcm/send/dpH5lCsTSSM:APA91bHqjZxM0VImWWqDRN7U0a3AycjUf4O-byuxb";
    private static final String P256DH = WebPushEncryptorTest.UA_PUBLIC;
    private static final String AUTH = WebPushEncryptorTest.AUTH_SECRET;

    @Test
    void whatPushSubscriptionToJsonGivesIsAccepted() throws Exception {
        WebPushSubscription subscription = WebPushSubscription.parse(JSON.readTree("""
                {"endpoint": "%s", "expirationTime": null, "keys": {"p256dh": "%s", "auth": "%s"}}
                """.formatted(ENDPOINT, P256DH, AUTH)), false);

        assertThat(subscription.endpoint()).hasToString(ENDPOINT);
        assertThat(subscription.p256dh()).isEqualTo(P256DH);
        assertThat(subscription.auth()).isEqualTo(AUTH);
        assertThat(P256.encode(subscription.uaPublicKey())).isEqualTo(Base64Url.decode(P256DH));
        assertThat(subscription.authSecret()).hasSize(16);
        assertThat(subscription).hasToString("WebPushSubscription[https://fcm.googleapis.com]");
    }

    @Test
    void httpEndpointsNeedTheFlag() {
        String http = "http://127.0.0.1:8090/notify/abc";

        assertRefused(s -> s.put("endpoint", http), "subscription.endpoint", "must be an https URL");
        assertThat(WebPushSubscription.parse(valid().put("endpoint", http), true).endpoint()).hasToString(http);
    }

    @Test
    void everyBadEndpointIsRefusedAsTheEndpoint() {
        String field = "subscription.endpoint";
        assertRefused(s -> s.remove("endpoint"), field, "required");
        assertRefused(s -> s.putNull("endpoint"), field, "required");
        assertRefused(s -> s.put("endpoint", 42), field, "must be a string");
        assertRefused(s -> s.put("endpoint", "https://push example/x"), field, "not a URL");
        assertRefused(s -> s.put("endpoint", "/relative/path"), field, "must be an https URL");
        assertRefused(s -> s.put("endpoint", "ftp://push.example/x"), field, "must be an https URL");
        assertRefused(s -> s.put("endpoint", "https:///no-host"), field, "must be an absolute URL with a host");
        assertRefused(s -> s.put("endpoint", "https://user:pw@push.example/x"), field, "must not contain user info");
        assertRefused(s -> s.put("endpoint", "https://push.example/x#frag"), field, "must not contain a fragment");
        assertRefused(s -> s.put("endpoint", "https://push.example/" + "a".repeat(1005)), field,
                "at most 1024 characters, was 1026");
        assertThat(WebPushSubscription.parse(valid().put("endpoint", "https://push.example/" + "a".repeat(1003)), false)
                .endpoint().toString()).hasSize(1024);
    }

    @Test
    void everyBadP256dhIsRefusedAsTheP256dh() {
        String field = "subscription.keys.p256dh";
        byte[] point = Base64Url.decode(P256DH);
        byte[] offCurve = point.clone();
        offCurve[64] ^= 1;
        byte[] compressedPrefix = point.clone();
        compressedPrefix[0] = 2;
        assertRefused(s -> keys(s).remove("p256dh"), field, "required");
        assertRefused(s -> keys(s).put("p256dh", "BCVx+r7N/eNg"), field, "is not base64url");
        assertRefused(s -> keys(s).put("p256dh", P256DH.substring(0, 84)), field, "must be 65 bytes, was 63");
        assertRefused(s -> keys(s).put("p256dh", Base64Url.encode(compressedPrefix)), field,
                "must be an uncompressed point (starting with 0x04)");
        assertRefused(s -> keys(s).put("p256dh", Base64Url.encode(offCurve)), field, "is not a point on the P-256 curve");
    }

    @Test
    void everyBadAuthIsRefusedAsTheAuth() {
        String field = "subscription.keys.auth";
        assertRefused(s -> keys(s).remove("auth"), field, "required");
        assertRefused(s -> keys(s).put("auth", "*"), field, "is not base64url");
        assertRefused(s -> keys(s).put("auth", Base64Url.encode(new byte[15])), field, "must be 16 bytes, was 15");
        assertRefused(s -> keys(s).put("auth", Base64Url.encode(new byte[32])), field, "must be 16 bytes, was 32");
    }

    @Test
    void aMissingObjectIsRefusedWhereItIsMissing() {
        assertRefused(s -> s.remove("keys"), "subscription.keys", "must be an object with p256dh and auth");
        assertThatThrownBy(() -> WebPushSubscription.parse(JSON.getNodeFactory().textNode("x"), false))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("subscription"));
        assertThatThrownBy(() -> WebPushSubscription.parse(null, false))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("subscription"));
    }

    private static ObjectNode valid() {
        ObjectNode s = JSON.createObjectNode().put("endpoint", ENDPOINT).putNull("expirationTime");
        s.putObject("keys").put("p256dh", P256DH).put("auth", AUTH);
        return s;
    }

    private static ObjectNode keys(ObjectNode subscription) {
        return (ObjectNode) subscription.get("keys");
    }

    private static void assertRefused(Consumer<ObjectNode> change, String field, String reason) {
        ObjectNode subscription = valid();
        change.accept(subscription);
        assertThatThrownBy(() -> WebPushSubscription.parse(subscription, false))
                .as(subscription.toString())
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.reason()).isEqualTo(reason);
                });
    }
}
