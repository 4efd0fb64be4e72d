package dev.herald.server.push;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PushReceiptsTest {
    private final byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final PushReceipts receipts = new PushReceipts(key);
    private final Instant now = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void aReceiptNamesItsUserNotificationAndDeviceUntilItExpires() {
        String r = receipts.issue("user:42", "n-1", "d_abc", now);
        assertThat(receipts.verify(r, now.plus(Duration.ofDays(29))))
                .contains(new PushReceipts.Receipt("user:42", "n-1", "d_abc"));
        assertThat(receipts.verify(r, now.plus(PushReceipts.LIFETIME).plusSeconds(1))).isEmpty();
    }

    @Test
    void anAlteredForgedOrMalformedReceiptIsRefused() {
        String r = receipts.issue("user:42", "n-1", "d_abc", now);
        String payload = r.substring(0, r.indexOf('.'));
        String otherUser = Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8).replace("user:42", "user:43")
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(receipts.verify(otherUser + r.substring(r.indexOf('.')), now)).as("payload altered").isEmpty();
        byte[] otherKey = Arrays.copyOf(key, key.length);
        otherKey[0] ^= 1;
        assertThat(new PushReceipts(otherKey).verify(r, now)).as("another key").isEmpty();
        for (String bad : new String[] {"", ".", "abc", "a.b.c", "!!!.???", r + "x", "x".repeat(2000), null}) {
            assertThat(receipts.verify(bad, now)).as("%s", bad).isEmpty();
        }
    }

    @Test
    void aShortKeyIsRefused() {
        assertThatThrownBy(() -> new PushReceipts(new byte[16])).isInstanceOf(IllegalArgumentException.class);
    }
}
