package dev.herald.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.config.PushOptions;
import dev.herald.server.push.webpush.PushServicePeer;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.TestTokens;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.devtools.Command;
import org.openqa.selenium.devtools.DevTools;
import org.openqa.selenium.devtools.Event;
import org.openqa.selenium.json.Json;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Herald's service worker in a real headless Chromium: registered from the demo's origin with
 * scope "/", fed a real push (Herald's own payload with a real receipt, as the push service peer
 * decrypted it) through DevTools' {@code ServiceWorker.deliverPushMessage}, and the notification
 * read back from the browser. Clicking a notification has no DevTools or WebDriver command, so the
 * click handler is tested in Node instead (clients/js/test/push.test.js).
 */
class PushBrowserTest {
    private static final String SUBJECT = "mailto:ops@herald.test";

    @BeforeAll
    static void chromiumInstalled() {
        Browser.requireChromium();
    }

    /** A development node whose Web Push may reach the loopback push service peer over http. */
    private static WebNode pushNode() {
        return WebNode.start(b -> b.push(new PushOptions(true, SUBJECT, null, null, true, null, null, null,
                PushOptions.APNS, PushOptions.APNS_SANDBOX, null, PushOptions.FCM, null, null)));
    }

    /** Publishes to the user with push, through a device registered at the peer: answers Herald's payload as sent. */
    private static JsonNode pushedPayload(WebNode node, PushServicePeer peer, String user, String notification) throws Exception {
        String token = new TestTokens(TestServer.SECRET).forUser(user);
        Api.Reply device = node.api.asUser("POST", "/api/v1/me/devices", token,
                "{\"platform\":\"webpush\",\"subscription\":" + peer.subscriptionJson(user) + "}");
        assertThat(device.status()).as(device.body()).isEqualTo(201);
        Api.Reply published = node.api.publish("{\"to\":{\"user\":\"" + user + "\"},\"push\":true,\"notification\":" + notification + "}");
        assertThat(published.status()).as(published.body()).isEqualTo(201);
        await("the push at the peer").atMost(Duration.ofSeconds(10)).until(() -> !peer.received().isEmpty());
        PushServicePeer.Received received = peer.received().getFirst();
        assertThat(received.problems()).isEmpty();
        return received.payload();
    }

    @Test
    void aHeraldPushDeliveredToTheRegisteredWorkerShowsItsNotification() throws Exception {
        try (WebNode node = pushNode(); PushServicePeer peer = new PushServicePeer(SUBJECT); Browser browser = Browser.open(1280, 900)) {
            JsonNode payload = pushedPayload(node, peer, "dana",
                    "{\"type\":\"order_ready\",\"title\":\"Order 17\",\"body\":\"Table 4\",\"url\":\"/#/\"}");
            assertThat(payload.get("receipt").asText()).isNotEmpty();

            String origin = node.baseUrl();
            browser.get(origin + "/");
            browser.driver.executeCdpCommand("Browser.grantPermissions",
                    Map.of("origin", origin, "permissions", List.of("notifications")));
            assertThat(browser.js("return Notification.permission")).isEqualTo("granted");
            Object scope = browser.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                    + "navigator.serviceWorker.register('/herald-sw.js', {scope: '/'})"
                    + ".then(() => navigator.serviceWorker.ready).then((r) => done(r.scope), (e) => done('failed: ' + e))");
            assertThat(scope).isEqualTo(origin + "/");

            DevTools devTools = browser.driver.getDevTools();
            devTools.createSession();
            Map<String, String> registrations = new ConcurrentHashMap<>();
            devTools.addListener(new Event<>("ServiceWorker.workerRegistrationUpdated", in -> in.read(Json.MAP_TYPE)),
                    (Map<String, Object> event) -> {
                        for (Object r : (List<?>) event.get("registrations")) {
                            Map<?, ?> reg = (Map<?, ?>) r;
                            if (!Boolean.TRUE.equals(reg.get("isDeleted"))) {
                                registrations.put((String) reg.get("scopeURL"), (String) reg.get("registrationId"));
                            }
                        }
                    });
            devTools.send(new Command<>("ServiceWorker.enable", Map.of()));
            await("the worker's registration id").atMost(Duration.ofSeconds(5)).until(() -> registrations.containsKey(origin + "/"));

            devTools.send(new Command<>("ServiceWorker.deliverPushMessage", Map.of(
                    "origin", origin, "registrationId", registrations.get(origin + "/"), "data", payload.toString())));

            await("the notification is shown").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() ->
                    !shown(browser).isEmpty());
            Map<?, ?> n = shown(browser).getFirst();
            assertThat(n.get("title")).isEqualTo("Order 17");
            assertThat(n.get("body")).isEqualTo("Table 4");
            assertThat(n.get("tag")).isEqualTo(payload.get("id").asText());
            Map<?, ?> data = (Map<?, ?>) n.get("data");
            assertThat(data.get("url")).isEqualTo("/#/");
            assertThat(data.get("id")).isEqualTo(payload.get("id").asText());
            assertThat(data.get("receipt")).isEqualTo(payload.get("receipt").asText());
            devTools.close();
        }
    }

    /**
     * There is no push service Chromium can reach here (its own is Google's, over the internet):
     * offline, {@code pushManager.subscribe} never settles (seen: no answer after 45 s), so the
     * client's bounded wait is what the user sees, as a clear error in the demo, with nothing
     * registered. Up to the subscribe call this is the real path: the click, the permission, the
     * worker registered with scope "/", the node's VAPID key.
     */
    @Test
    void theDemosEnableButtonRegistersTheWorkerAndSaysWhyThePushServiceDidNotSubscribe() {
        try (WebNode node = WebNode.start(); Browser carol = Browser.open(1280, 900)) {
            String origin = node.baseUrl();
            carol.signInAs(origin, "/", "carol");
            await("the desktop notifications row").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> carol.visible("#push-enable") && carol.text("#push-status").equals("off"));
            assertThat(carol.visible("#push-disable")).isFalse();
            carol.driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", origin, "permissions", List.of("notifications")));

            carol.find("#push-enable").click();
            await("enable() gives up on the push service").atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions().until(() -> carol.text("#push-status").startsWith("off ("));
            assertThat(carol.text("#push-status")).contains("push service did not answer within 30000 ms");
            carol.screenshot("push-1-enable-without-a-push-service");
            Object scope = carol.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                    + "navigator.serviceWorker.getRegistration('/').then((r) => done(r ? r.scope : null), () => done(null))");
            assertThat(scope).isEqualTo(origin + "/");
            String token = new TestTokens(TestServer.SECRET).forUser("carol");
            assertThat(node.api.asUser("GET", "/api/v1/me/devices", token, null).json().get("devices")).isEmpty();
        }
    }

    /** The notifications the worker's registration shows now: title, body, tag and data of each. */
    private static List<Map<?, ?>> shown(Browser browser) {
        Object list = browser.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "navigator.serviceWorker.ready.then((r) => r.getNotifications())"
                + ".then((ns) => done(ns.map((n) => ({title: n.title, body: n.body, tag: n.tag, data: n.data}))), (e) => done([]))");
        return ((List<?>) list).stream().<Map<?, ?>>map(o -> (Map<?, ?>) o).toList();
    }
}
