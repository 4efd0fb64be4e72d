package dev.herald.server.web;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;

import java.time.Duration;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo app and /test-notifications in a real headless Chromium, against a real node:
 * what a person sees, clicked through as a person would. Screenshots go to target/screenshots/.
 */
class DemoAppBrowserTest {

    @BeforeAll
    static void chromiumInstalled() {
        Browser.requireChromium();
    }

    private static void within(Duration atMost, String what, Callable<Boolean> condition) {
        await(what).atMost(atMost).pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(condition);
    }

    private static void live(Browser b) {
        within(Duration.ofSeconds(15), "the Live indicator shows connected",
                () -> "connected".equals(b.find("#live").getDomAttribute("data-status")));
    }

    @Test
    void twoUsersInTwoBrowsersChatWithToastRedDotTypingAndReadReceipts() {
        try (WebNode node = WebNode.start();
             Browser alice = Browser.open(1280, 900);
             Browser bob = Browser.open(1280, 900)) {
            String base = node.baseUrl();
            alice.signInAs(base, "/", "alice");
            bob.signInAs(base, "/", "bob");
            live(alice);
            live(bob);
            within(Duration.ofSeconds(10), "bob's chat socket is up", () -> (Boolean) bob.js(
                    "return document.querySelector('#live').dataset.status === 'connected'"));

            // Alice starts a conversation with Bob and writes while Bob is not in it.
            alice.get(base + "/#/messages");
            alice.find("#new-chat-user").sendKeys("bob");
            alice.find("#new-chat button").click();
            within(Duration.ofSeconds(10), "alice's conversation opens", () -> alice.visible("#chat")
                    && alice.text("#chat-title").equals("Bob Chen"));
            alice.find("#composer-input").sendKeys("Hey Bob, are you available for a quick call?", Keys.ENTER);
            within(Duration.ofSeconds(5), "the sent message is stored",
                    () -> !alice.all("#messages .msg.mine[data-seq='1']").isEmpty());

            // Bob is not in the chat: a new_message toast, and the red dot on Messages.
            within(Duration.ofSeconds(5), "bob's toast", () -> bob.visible(".toast[data-kind='new_message']"));
            assertThat(bob.text(".toast[data-kind='new_message'] .title")).isEqualTo("New message from Alice Martin");
            within(Duration.ofSeconds(5), "the red dot on Messages", () -> bob.visible("#messages-dot"));
            bob.screenshot("chat-1-bob-toast-and-red-dot");

            // The toast navigates to the conversation.
            bob.find(".toast[data-kind='new_message']").click();
            within(Duration.ofSeconds(10), "bob's conversation opens from the toast", () -> bob.visible("#chat")
                    && bob.all("#messages .msg").size() == 1);
            assertThat((String) bob.js("return location.hash")).matches("#/messages/\\d+");
            assertThat(bob.text("#messages .msg .bubble")).isEqualTo("Hey Bob, are you available for a quick call?");
            within(Duration.ofSeconds(5), "the red dot clears once read", () -> !bob.visible("#messages-dot"));

            // Bob read it: Alice sees the read receipt. Presence: both online.
            within(Duration.ofSeconds(5), "alice sees Seen", () -> alice.text("#messages .msg.mine .receipt").equals("Seen"));
            within(Duration.ofSeconds(5), "alice sees bob online", () -> alice.visible("#chat-avatar .presence.online"));
            within(Duration.ofSeconds(5), "bob sees alice online", () -> bob.visible("#chat-avatar .presence.online"));

            // Bob types: Alice sees the typing indicator, which goes away with his message.
            bob.find("#composer-input").sendKeys("Sure");
            within(Duration.ofSeconds(5), "alice sees bob typing", () -> alice.visible("#typing")
                    && alice.text("#typing-text").equals("Bob Chen is typing…"));
            alice.screenshot("chat-2-alice-sees-typing-and-seen");
            bob.find("#composer-input").sendKeys(", call me in 5", Keys.ENTER);
            within(Duration.ofSeconds(5), "alice gets bob's message", () -> alice.all("#messages .msg:not(.mine)").size() == 1);
            assertThat(alice.text("#messages .msg:not(.mine) .bubble")).isEqualTo("Sure, call me in 5");
            within(Duration.ofSeconds(5), "the typing indicator goes away", () -> !alice.visible("#typing"));
            within(Duration.ofSeconds(5), "bob sees Seen on his reply", () -> bob.text("#messages .msg.mine .receipt").equals("Seen"));
            assertThat(alice.all("#messages .msg")).hasSize(2);
            assertThat(bob.all("#messages .msg")).hasSize(2);
            alice.screenshot("chat-3-alice");
            bob.screenshot("chat-3-bob");
        }
    }

    @Test
    void aNotificationPublishedOverTheApiShowsAsToastAndBadgeWithinASecond() {
        try (WebNode node = WebNode.start(); Browser carol = Browser.open(1280, 900)) {
            carol.signInAs(node.baseUrl(), "/", "carol");
            live(carol);
            long start = System.nanoTime();
            node.api.notifyUser("carol", "{\"type\":\"order_created\",\"message\":\"Order #1001 received\",\"order_id\":1001}");
            within(Duration.ofSeconds(1), "toast and badge within a second of the publish", () ->
                    carol.visible(".toast[data-kind='order_created']") && carol.text("#badge").equals("1"));
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            System.out.println("publish to toast and badge: " + millis + " ms");
            assertThat(carol.text(".toast .text")).isEqualTo("Order #1001 received");
            assertThat(carol.all("#inbox .notif.unread[data-type='order_created']")).hasSize(1);
            carol.screenshot("notify-1-toast-and-badge");

            // The dropdown lists it; mark all read clears the badge.
            carol.find("#bell").click();
            within(Duration.ofSeconds(2), "the dropdown", () -> carol.visible("#dropdown .notif.unread"));
            carol.screenshot("notify-2-dropdown");
            carol.find("#read-all").click();
            within(Duration.ofSeconds(3), "the badge clears", () -> !carol.visible("#badge"));
            assertThat(node.api.asUser("GET", "/api/v1/me/notifications/unread-count",
                    new dev.herald.server.testing.TestTokens(dev.herald.server.testing.TestServer.SECRET).forUser("carol"), null)
                    .json().get("count").asInt()).isZero();

            // Over 99 unread the badge says 99+.
            for (int i = 0; i < 100; i++) {
                node.api.notifyUser("carol", "{\"type\":\"general_announcement\",\"message\":\"bulk " + i + "\"}");
            }
            within(Duration.ofSeconds(10), "99+", () -> carol.text("#badge").equals("99+"));
            carol.screenshot("notify-3-badge-99plus");
        }
    }

    @Test
    void theLiveIndicatorShowsReconnectingWhileTheServerIsDownAndLiveWithTheMissedNotificationsAfter() {
        try (WebNode node = WebNode.start(); Browser dan = Browser.open(1280, 900)) {
            dan.signInAs(node.baseUrl(), "/", "alice");
            live(dan);
            node.api.notifyUser("alice", "{\"type\":\"order_created\",\"message\":\"before the restart\"}");
            within(Duration.ofSeconds(3), "the first one", () -> dan.all("#inbox .notif").size() == 1);

            node.stop();
            within(Duration.ofSeconds(5), "reconnecting", () -> "reconnecting".equals(dan.find("#live").getDomAttribute("data-status")));
            assertThat(dan.text("#live-text")).isEqualTo("Reconnecting…");
            dan.screenshot("restart-1-reconnecting");

            node.restart();
            // Published as soon as the node is back, usually before the page has reconnected.
            node.api.notifyUser("alice", "{\"type\":\"order_status_changed\",\"message\":\"missed one\"}");
            node.api.notifyUser("alice", "{\"type\":\"payment_status_changed\",\"message\":\"missed two\"}");
            live(dan);
            assertThat(dan.text("#live-text")).isEqualTo("Live");
            within(Duration.ofSeconds(5), "the missed notifications", () -> dan.all("#inbox .notif").size() == 3);
            within(Duration.ofSeconds(5), "badge 3", () -> dan.text("#badge").equals("3"));
            assertThat(dan.all("#inbox .notif[data-type='order_status_changed']")).hasSize(1);
            assertThat(dan.all("#inbox .notif[data-type='payment_status_changed']")).hasSize(1);
            dan.screenshot("restart-2-live-again");
        }
    }

    @Test
    void whenTheBrowserGoesOfflineTheIndicatorSaysOfflineAndOnlineBringsTheMissedNotifications() {
        try (WebNode node = WebNode.start(); Browser b = Browser.open(1280, 900)) {
            b.signInAs(node.baseUrl(), "/", "bob");
            live(b);
            ChromiumNetworkConditions offline = new ChromiumNetworkConditions();
            offline.setOffline(true);
            b.driver.setNetworkConditions(offline);
            within(Duration.ofSeconds(5), "offline", () -> "offline".equals(b.find("#live").getDomAttribute("data-status")));
            assertThat(b.text("#live-text")).isEqualTo("Offline");
            node.api.notifyUser("bob", "{\"type\":\"order_created\",\"message\":\"while offline\"}");
            b.screenshot("offline-1");
            b.driver.deleteNetworkConditions();
            live(b);
            within(Duration.ofSeconds(5), "the notification sent while offline", () ->
                    b.all("#inbox .notif[data-type='order_created']").size() == 1 && b.text("#badge").equals("1"));
        }
    }

    @Test
    void theInboxHasTabsWithCountsAnUnseenBadgeTheDropdownClearsAndArchiveThatReachesTheOtherTab() {
        try (WebNode node = WebNode.start();
             Browser tab1 = Browser.open(1280, 900);
             Browser tab2 = Browser.open(1280, 900)) {
            for (String category : new String[] {"orders", "orders", "news"}) {
                assertThat(node.api.publish("{\"to\":{\"user\":\"carol\"},\"category\":\"" + category
                        + "\",\"notification\":{\"type\":\"order_created\",\"message\":\"in " + category + "\"}}")
                        .status()).isEqualTo(201);
            }
            tab1.signInAs(node.baseUrl(), "/", "carol");
            tab2.signInAs(node.baseUrl(), "/", "carol");
            live(tab1);
            live(tab2);
            within(Duration.ofSeconds(5), "three new on the badge and every tab counted", () ->
                    tab1.text("#badge").equals("3") && tab1.text("#inbox-tab-all .count").equals("3")
                            && tab1.text("#inbox-tab-unread .count").equals("3")
                            && tab1.text("#inbox-tab-orders .count").equals("2")
                            && tab1.text("#inbox-tab-archived .count").equals("0"));
            tab1.screenshot("inbox-1-tabs-and-badge");

            // Opening the dropdown marks what it shows as seen: the badge clears in both tabs,
            // and the notifications stay unread.
            tab1.find("#bell").click();
            within(Duration.ofSeconds(3), "the badge clears", () -> !tab1.visible("#badge"));
            within(Duration.ofSeconds(3), "in the other tab too", () -> !tab2.visible("#badge"));
            assertThat(tab1.all("#inbox .notif.unread")).hasSize(3);
            tab1.js("document.body.click()");

            // Archive one in the first tab: it leaves both tabs' feeds and the counts follow.
            tab1.js("document.querySelector('#inbox .notif .archive').click()"); // in the page: no stale element
            within(Duration.ofSeconds(3), "archived in the first tab", () -> tab1.all("#inbox .notif").size() == 2
                    && tab1.text("#inbox-tab-archived .count").equals("1") && tab1.text("#inbox-tab-all .count").equals("2"));
            within(Duration.ofSeconds(3), "gone from the second tab without a reload", () ->
                    tab2.all("#inbox .notif").size() == 2 && tab2.text("#inbox-tab-archived .count").equals("1"));

            // The Orders tab filters by category; the Archived tab lists it and brings it back.
            tab2.find("#inbox-tab-orders").click();
            within(Duration.ofSeconds(3), "the orders tab (the newest, in news, was archived)", () ->
                    tab2.all("#inbox .notif").size() == 2
                            && tab2.all("#inbox .notif .meta").stream().allMatch(m -> m.getText().startsWith("orders")));
            tab2.find("#inbox-tab-archived").click();
            within(Duration.ofSeconds(3), "the archive", () -> tab2.all("#inbox .notif").size() == 1
                    && tab2.text("#inbox .notif .archive").equals("Unarchive")
                    && tab2.text("#inbox .notif .meta").startsWith("news"));
            tab2.screenshot("inbox-2-archived-tab");
            tab2.js("document.querySelector('#inbox .notif .archive').click()");
            within(Duration.ofSeconds(3), "back in the first tab's feed", () -> tab1.all("#inbox .notif").size() == 3
                    && tab1.text("#inbox-tab-archived .count").equals("0"));
        }
    }

    @Test
    void onThePreferencesPageAUserMutesACategoryAndItsNotificationsNoLongerArrive() {
        try (WebNode node = WebNode.start(); Browser b = Browser.open(1280, 900)) {
            b.signInAs(node.baseUrl(), "/", "bob");
            live(b);
            b.get(node.baseUrl() + "/#/preferences");
            within(Duration.ofSeconds(5), "the categories", () -> b.visible("#view-preferences")
                    && !b.all("#prefs-categories tr[data-category='news'] input[data-channel='in_app']").isEmpty());
            assertThat(b.find("#prefs-enabled").isSelected()).isTrue();
            b.find("#prefs-categories tr[data-category='news'] input[data-channel='in_app']").click();
            b.find("#prefs-quiet").click();
            b.find("#prefs-quiet-zone").clear();
            b.find("#prefs-quiet-zone").sendKeys("Mars/Olympus");
            b.find("#prefs-form button[type=submit]").click();
            within(Duration.ofSeconds(3), "a bad time zone is refused with the reason",
                    () -> b.text("#prefs-result").startsWith("Not saved: quiet_hours.time_zone"));
            b.find("#prefs-quiet-zone").clear();
            b.find("#prefs-quiet-zone").sendKeys("Europe/Berlin");
            b.find("#prefs-form button[type=submit]").click();
            within(Duration.ofSeconds(3), "saved", () -> b.text("#prefs-result").equals("Saved."));
            b.screenshot("preferences-1-news-muted");
            com.fasterxml.jackson.databind.JsonNode stored = node.api.send("GET", "/api/v1/users/bob/preferences", null,
                    java.util.Map.of("Authorization", "Bearer " + dev.herald.server.testing.TestServer.API_KEY)).json();
            assertThat(stored.get("preferences").get("categories").get("news").get("in_app").asBoolean())
                    .as(stored.toString()).isFalse();

            assertThat(node.api.publish("{\"to\":{\"user\":\"bob\"},\"category\":\"news\",\"notification\":"
                    + "{\"type\":\"general_announcement\",\"message\":\"muted\"}}").json().get("muted").get(0).asText())
                    .isEqualTo("bob");
            node.api.publish("{\"to\":{\"user\":\"bob\"},\"category\":\"orders\",\"notification\":"
                    + "{\"type\":\"order_created\",\"message\":\"kept\"}}");
            within(Duration.ofSeconds(3), "only the order's toast", () -> b.visible(".toast[data-kind='order_created']"));
            assertThat(b.all(".toast[data-kind='general_announcement']")).isEmpty();

            b.get(node.baseUrl() + "/#/preferences");
            within(Duration.ofSeconds(5), "the saved choices come back", () ->
                    !b.find("#prefs-categories tr[data-category='news'] input[data-channel='in_app']").isSelected()
                            && b.find("#prefs-quiet").isSelected()
                            && "Europe/Berlin".equals(b.find("#prefs-quiet-zone").getDomProperty("value")));
        }
    }

    @Test
    void aDigestShowsOneToastAndOneInboxItemWithTheGroupsCount() {
        try (WebNode node = WebNode.start(); Browser b = Browser.open(1280, 900)) {
            b.signInAs(node.baseUrl(), "/", "carol");
            live(b);
            for (int i = 1; i <= 3; i++) {
                node.api.publish("{\"to\":{\"user\":\"carol\"},\"group_key\":\"chat:1\",\"notification\":"
                        + "{\"type\":\"new_message\",\"message\":\"New message from John\",\"content_preview\":\"message " + i + "\"}}");
            }
            // The list is drawn again as counts arrive: read it inside the retrying wait, never after.
            within(Duration.ofSeconds(5), "one item with the count and the latest event", () ->
                    b.all("#inbox .notif").size() == 1 && b.text("#inbox .notif .group-count").equals("×3")
                            && b.text("#inbox .notif .text").equals("message 3"));
            assertThat(b.all(".toast[data-kind='new_message']")).as("one toast for the group").hasSize(1);
            b.screenshot("digest-1-one-item");
        }
    }

    @Test
    void theTestNotificationsPageShowsTheInboxThatWasThereOnArrival() {
        try (WebNode node = WebNode.start(); Browser b = Browser.open(1280, 900)) {
            for (int i = 1; i <= 3; i++) {
                node.api.notifyUser("alice", "{\"type\":\"order_created\",\"message\":\"stored " + i + "\"}");
            }
            b.signInAs(node.baseUrl(), "/test-notifications", "alice");
            live(b);
            within(Duration.ofSeconds(5), "the stored three, their last seq and counts", () ->
                    b.all("#list .notif[data-live='false']").size() == 3 && b.text("#last-seq").equals("3")
                            && b.text("#unread").equals("3") && b.text("#unseen").equals("3")
                            && b.text("#inbox-total").equals("3"));
            assertThat(b.text("#received")).isEqualTo("0");
            assertThat(b.visible("#list-empty")).isFalse();
            node.api.notifyUser("alice", "{\"type\":\"order_created\",\"message\":\"live\"}");
            within(Duration.ofSeconds(3), "the live one on top", () -> b.all("#list .notif").size() == 4
                    && "true".equals(b.find("#list .notif").getDomAttribute("data-live")) && b.text("#inbox-total").equals("4"));
            b.screenshot("test-notifications-2-arrival");
        }
    }

    @Test
    void theTestNotificationsPageShowsStatusReceivesSendsToOneselfAndClears() {
        try (WebNode node = WebNode.start(); Browser b = Browser.open(1280, 900)) {
            b.signInAs(node.baseUrl(), "/test-notifications", "bob");
            live(b);
            assertThat(b.text("#status")).isEqualTo("connected");
            assertThat(b.text("#transport")).isEqualTo("websocket");
            assertThat(b.text("#who")).contains("Bob Chen");

            b.find("#send-type").clear();
            b.find("#send-type").sendKeys("test_notification");
            b.find("#send-form button").click();
            within(Duration.ofSeconds(3), "the sent one arrives", () -> b.all("#list .notif[data-type='test_notification']").size() == 1);
            assertThat(b.text("#send-result")).startsWith("Stored as seq 1");
            node.api.notifyUser("bob", "{\"type\":\"order_created\",\"message\":\"from the backend\"}");
            within(Duration.ofSeconds(3), "the backend's one arrives", () -> b.all("#list .notif").size() == 2);
            assertThat(b.text("#received")).isEqualTo("2");
            within(Duration.ofSeconds(3), "unread 2", () -> b.text("#unread").equals("2"));
            assertThat(b.text("#last-seq")).isEqualTo("2");

            b.find("#send-type").clear();
            b.find("#send-type").sendKeys("connected");
            b.find("#send-form button").click();
            within(Duration.ofSeconds(3), "a reserved type is refused with the reason",
                    () -> b.text("#send-result").startsWith("Refused: notification.type: 'connected' is reserved"));
            b.screenshot("test-notifications-1");

            b.find("#clear").click();
            assertThat(b.all("#list .notif")).isEmpty();
            assertThat(b.visible("#list-empty")).isTrue();
        }
    }

    @Test
    void onAPhoneSizedScreenTheAppFitsWithoutSidewaysScrolling() {
        try (WebNode node = WebNode.start(); Browser phone = Browser.phone()) {
            phone.signInAs(node.baseUrl(), "/", "carol");
            live(phone);
            node.api.notifyUser("carol", "{\"type\":\"order_created\",\"message\":\"Order #7 received\"}");
            within(Duration.ofSeconds(3), "the toast", () -> phone.visible(".toast"));
            assertThat((Long) phone.js("return window.innerWidth")).isEqualTo(390L);
            assertThat((Long) phone.js("return document.documentElement.scrollWidth - window.innerWidth")).isLessThanOrEqualTo(0L);
            phone.screenshot("phone-1-home");
            phone.get(node.baseUrl() + "/#/messages");
            within(Duration.ofSeconds(5), "the conversation list", () -> phone.visible("#new-chat-user"));
            assertThat((Long) phone.js("return document.documentElement.scrollWidth - window.innerWidth")).isLessThanOrEqualTo(0L);
            phone.find("#new-chat-user").sendKeys("alice", Keys.ENTER);
            within(Duration.ofSeconds(5), "the conversation takes the whole screen", () -> phone.visible("#chat")
                    && !phone.visible("#new-chat-user"));
            phone.find("#composer-input").sendKeys("Hello from a phone", Keys.ENTER);
            within(Duration.ofSeconds(5), "the message", () -> !phone.all("#messages .msg.mine[data-seq='1']").isEmpty());
            assertThat((Long) phone.js("return document.documentElement.scrollWidth - window.innerWidth")).isLessThanOrEqualTo(0L);
            phone.screenshot("phone-2-chat");
            phone.find(".toast .toast-close").click(); // toasts sit at the top on a phone; dismissing one
            within(Duration.ofSeconds(2), "the toast is dismissed", () -> !phone.visible(".toast"));
            phone.find(".back").click();
            within(Duration.ofSeconds(5), "back to the list", () -> phone.visible("#new-chat-user") && !phone.visible("#chat"));
            phone.screenshot("phone-3-messages");
        }
    }
}
