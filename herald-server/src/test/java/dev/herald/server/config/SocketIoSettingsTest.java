package dev.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Relay rules and notification event names: the values behind the two Socket.IO options. */
class SocketIoSettingsTest {
    @Test
    void relayRulesParseFromTheirOneLineForm() {
        assertThat(RelayRule.parseAll("bookingUpdate:booking:bookingId:bookingUpdated, a:b:c:d")).containsExactly(
                new RelayRule("bookingUpdate", "booking", "bookingId", "bookingUpdated"), new RelayRule("a", "b", "c", "d"));
        assertThat(RelayRule.parseAll(null)).isEmpty();
        assertThat(RelayRule.parseAll("  ")).isEmpty();
        assertThat(RelayRule.parseAll("a:b:c:d,")).as("empty entries are skipped").hasSize(1);
        assertThat(RelayRule.room("booking:1")).isEqualTo("topic:booking:1");
    }

    @Test
    void malformedRelayRulesAreRefusedNamingTheRuleAndWhatIsWrong() {
        assertThatThrownBy(() -> RelayRule.parseAll("bookingUpdate:booking:bookingId"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rule 'bookingUpdate:booking:bookingId' must be clientEvent:topicType:idField:serverEvent,"
                        + " e.g. bookingUpdate:booking:bookingId:bookingUpdated");
        assertThatThrownBy(() -> RelayRule.parseAll("a b:c:d:e"))
                .hasMessage("rule 'a b:c:d:e' has part 'a b'; each part is 1 to 64 letters, digits, _ . -");
        assertThatThrownBy(() -> RelayRule.parseAll("a:b:c:"))
                .as("an empty last part is a part, not a missing one")
                .hasMessageContaining("has part ''");
        assertThatThrownBy(() -> RelayRule.parseAll("a:b:c:d, a:x:y:z"))
                .hasMessage("rule 'a:x:y:z' relays client event 'a' again; each client event may have one rule");
    }

    @Test
    void defaultsEmitBothNotificationNamesAndRelayNothing() {
        assertThat(SocketIoSettings.defaults().notificationEvents()).containsExactly("notification", "newNotification");
        assertThat(SocketIoSettings.defaults().relayRules()).isEmpty();
        assertThat(SocketIoSettings.isEventName("new:notification")).isTrue();
        assertThat(SocketIoSettings.isEventName("bad name")).isFalse();
        assertThatThrownBy(() -> new SocketIoSettings(List.of("bad name"), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
