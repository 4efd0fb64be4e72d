package dev.herald.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.HeraldNodeExtension;
import dev.herald.server.testing.RawHttp;
import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks every operation of the HTTP API as the OpenAPI document lists it, so a route added
 * later is attacked too: no credential, the wrong kind of credential, a forged one, a foreign
 * origin, someone else's id, an oversized and a malformed body. Each gets its clear 4xx.
 */
class ApiAttackEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 16 * 1024;
    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension(b -> b.devMode(true).maxHttpBodyBytes(MAX_BODY));
    private static String victimNotification;
    private static long victimConversation;
    private static String victimDevice;

    private record Operation(String method, String template, String security) {
        String path() {
            return template.replace("{type}", "order_ready").replace("{device}", victimDevice).replace("{name}", "orders").replace("{key}", "victim-key").replace("{id}", template.contains("notifications") ? victimNotification
                    : template.contains("users") ? "victim" : String.valueOf(victimConversation));
        }

        boolean takesJsonBody() {
            return method.equals("PUT") || method.equals("POST") && (template.equals("/api/v1/notifications")
                    || template.equals("/api/v1/me/notifications/bulk") || template.equals("/api/v1/me/notifications/counts")
                    || template.equals("/api/v1/notifications/batch") || template.equals("/api/v1/conversations")
                    || template.equals("/api/v1/conversations/{id}/messages")
                    || template.equals("/api/v1/backend/conversations") || template.equals("/api/v1/dev/token")
                    || template.endsWith("/devices") || template.equals("/api/v1/push/opened"));
        }
    }

    @BeforeAll
    static void seedTheVictimsData() {
        victimNotification = node.server().api.notifyUser("victim", "{\"type\":\"secret\"}").get("ids").get(0).asText();
        victimConversation = node.server().api.send("POST", "/api/v1/backend/conversations",
                "{\"kind\":\"direct\",\"members\":[\"victim\",\"friend\"]}",
                Map.of("Authorization", "Bearer " + TestServer.API_KEY)).json().get("conversation").get("id").asLong();
        victimDevice = node.server().api.asUser("POST", "/api/v1/me/devices", node.server().tokens.forUser("victim"),
                "{\"platform\":\"webpush\",\"subscription\":{\"endpoint\":\"https://fcm.googleapis.com/fcm/send/victim\","
                        + "\"keys\":{\"p256dh\":\"" + p256dhOfANewKey() + "\",\"auth\":\"AAAAAAAAAAAAAAAAAAAAAA\"}}}")
                .json().get("device").get("id").asText();
    }

    /** A browser's P-256 public key as a subscription carries it: the uncompressed point, base64url. */
    private static String p256dhOfANewKey() {
        try {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
            g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            java.security.interfaces.ECPublicKey key = (java.security.interfaces.ECPublicKey) g.generateKeyPair().getPublic();
            byte[] point = new byte[65];
            point[0] = 4;
            byte[] x = key.getW().getAffineX().toByteArray();
            byte[] y = key.getW().getAffineY().toByteArray();
            System.arraycopy(x, Math.max(0, x.length - 32), point, 1 + Math.max(0, 32 - x.length), Math.min(32, x.length));
            System.arraycopy(y, Math.max(0, y.length - 32), point, 33 + Math.max(0, 32 - y.length), Math.min(32, y.length));
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(point);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Operation> operations() {
        JsonNode doc = node.server().api.get("/api/v1/openapi.json").json();
        List<Operation> ops = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> m = methods.next();
                if (!List.of("get", "post", "put", "delete").contains(m.getKey())) {
                    continue;
                }
                JsonNode security = m.getValue().has("security") ? m.getValue().get("security") : doc.get("security");
                String kind = security == null || security.isEmpty() ? "public"
                        : security.get(0).fieldNames().next().startsWith("apiKey") ? "apiKey" : "user";
                ops.add(new Operation(m.getKey().toUpperCase(), path.getKey(), kind));
            }
        }
        assertThat(ops).hasSizeGreaterThan(20);
        return ops;
    }

    private static Api.Reply call(Operation op, String body, Map<String, String> headers) {
        return node.server().api.send(op.method(), op.path(), body, headers);
    }

    @Test
    void withoutACredentialEveryProtectedOperationAnswers401() {
        for (Operation op : operations()) {
            if (op.security().equals("public")) {
                continue;
            }
            Api.Reply reply = call(op, op.takesJsonBody() ? "{}" : null, Map.of());
            assertThat(reply.status()).as(op.method() + " " + op.template()).isEqualTo(401);
            assertThat(reply.json().get("error").asText()).as(op.template()).isNotBlank();
        }
    }

    @Test
    void theWrongKindOfCredentialOrAForgedOneAnswers401() {
        String forged = node.server().tokens.forUser("victim").replaceAll(".$", "A") + "x";
        for (Operation op : operations()) {
            if (op.security().equals("public")) {
                continue;
            }
            String wrongKind = op.security().equals("user") ? TestServer.API_KEY : node.server().tokens.forUser("victim");
            assertThat(call(op, op.takesJsonBody() ? "{}" : null, Map.of("Authorization", "Bearer " + wrongKind)).status())
                    .as("wrong kind on " + op.method() + " " + op.template()).isEqualTo(401);
            String bad = op.security().equals("user") ? forged : "hk_not-the-configured-key-000000";
            assertThat(call(op, op.takesJsonBody() ? "{}" : null, Map.of("Authorization", "Bearer " + bad)).status())
                    .as("forged on " + op.method() + " " + op.template()).isEqualTo(401);
        }
    }

    @Test
    void aForeignOriginIsRefusedOnEveryOperationWhateverItsCredential() {
        for (Operation op : operations()) {
            String credential = op.security().equals("apiKey") ? TestServer.API_KEY : node.server().tokens.forUser("victim");
            Api.Reply reply = call(op, op.takesJsonBody() ? "{}" : null,
                    Map.of("Origin", "https://evil.example", "Authorization", "Bearer " + credential));
            assertThat(reply.status()).as(op.method() + " " + op.template()).isEqualTo(403);
        }
    }

    @Test
    void someoneElsesIdsAreNotFound() {
        String intruder = node.server().tokens.forUser("intruder");
        for (Operation op : operations()) {
            if (!op.security().equals("user") || !op.template().contains("{id}") && !op.template().contains("{device}")) {
                continue;
            }
            Api.Reply reply = call(op, op.takesJsonBody() ? "{\"content\":\"hi\"}" : null,
                    Map.of("Authorization", "Bearer " + intruder));
            assertThat(reply.status()).as(op.method() + " " + op.template()).isEqualTo(404);
        }
        // The victim's own data is untouched.
        JsonNode page = node.server().api.asUser("GET", "/api/v1/me/notifications",
                node.server().tokens.forUser("victim"), null).json();
        assertThat(page.get("notifications").get(0).get("id").asText()).isEqualTo(victimNotification);
        assertThat(node.server().api.asUser("GET", "/api/v1/me/devices", node.server().tokens.forUser("victim"), null).json()
                .get("devices")).extracting(d -> d.get("id").asText()).containsExactly(victimDevice);
    }

    @Test
    void anOversizedBodyIsRefusedWith413BeforeAnyCredentialIsLookedAt() {
        byte[] big = new byte[MAX_BODY + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        for (Operation op : operations()) {
            if (!op.method().equals("POST") && !op.method().equals("PUT")) {
                continue;
            }
            try (RawHttp http = RawHttp.connect(node.server().port())) {
                http.send(RawHttp.request(op.method(), op.path(), "application/json", big));
                assertThat(http.read(5_000).status()).as(op.template()).isEqualTo(413);
            }
        }
    }

    @Test
    void aMalformedBodyIsA400NamingTheProblem() throws Exception {
        for (Operation op : operations()) {
            if (!op.takesJsonBody()) {
                continue;
            }
            String credential = op.security().equals("apiKey") ? TestServer.API_KEY : node.server().tokens.forUser("victim");
            for (String body : List.of("{\"to\":", "[1,2", "\"just a string\"", "{\"a\":" + "[".repeat(5000))) {
                Api.Reply reply = call(op, body, Map.of("Authorization", "Bearer " + credential));
                assertThat(reply.status()).as(op.template() + " with " + body.substring(0, Math.min(20, body.length())))
                        .isEqualTo(400);
                assertThat(JSON.readTree(reply.body()).get("error").asText()).isNotBlank();
            }
        }
    }
}
