package dev.herald.server.push.fcm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.push.PushDevice;
import dev.herald.server.push.PushMessage;
import dev.herald.server.push.PushPlatform;
import dev.herald.server.push.PushUrgency;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class FcmMessagesTest {
    private static final PushDevice DEVICE = new PushDevice("d", "user:1", PushPlatform.FCM, "tok", null, null, null, false, Instant.EPOCH);

    @Test
    void aPlainPushHasNormalPriorityNoCollapseKeyAndItsIdAsTag() {
        PushMessage m = new PushMessage("n-1", "t", "Title", "", null, null, 0, Duration.ZERO, PushUrgency.NORMAL, null, null);
        JsonNode body = FcmMessages.body(DEVICE, m).get("message");

        assertThat(body.at("/android/priority").asText()).isEqualTo("NORMAL");
        assertThat(body.at("/android/ttl").asText()).isEqualTo("0s");
        assertThat(body.get("android").has("collapse_key")).isFalse();
        assertThat(body.at("/android/notification/tag").asText()).isEqualTo("n-1");
        assertThat(body.get("notification").has("image")).isFalse();
        assertThat(body.at("/data/herald").asText()).isEqualTo("1");
        assertThat(body.get("data").has("receipt")).isFalse();
    }

    @Test
    void aTtlBeyondFourWeeksIsCutToFcmsLimit() {
        PushMessage m = new PushMessage("n-1", "t", "Title", "", null, null, 0, Duration.ofDays(90), PushUrgency.LOW, null, null);

        assertThat(FcmMessages.body(DEVICE, m).at("/message/android/ttl").asText()).isEqualTo("2419200s");
    }
}
