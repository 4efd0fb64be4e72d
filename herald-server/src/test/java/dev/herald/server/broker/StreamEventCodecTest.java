package dev.herald.server.broker;

import dev.herald.server.stream.StreamEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamEventCodecTest {

    @Test
    void anEventSurvivesTheRoundTripWithEveryField() throws Exception {
        StreamEvent event = new StreamEvent("topic:café/☃", 9_007_199_254_740_993L, "notification",
                1_732_334_455_123L, 41, "{\"title\":\"Grüße\"}".getBytes(StandardCharsets.UTF_8));

        StreamEventCodec.Decoded decoded = StreamEventCodec.decode(StreamEventCodec.encode(event, -42L));

        assertThat(decoded.origin()).isEqualTo(-42L);
        assertSame(decoded.event(), event);
    }

    @Test
    void aVersion1EventFromTheReleaseBeforeIsReadWithItsUnseenCountUnknown() throws Exception {
        // version 1, event, origin 5, seq 3, time 0, unread 4 (zigzag 8), no excluded user, "s", "t", "{}"
        byte[] v1 = new byte[]{1, 'E', 0, 0, 0, 0, 0, 0, 0, 5, 3, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0,
                1, 's', 1, 't', 2, '{', '}'};

        StreamEventCodec.Decoded decoded = StreamEventCodec.decode(v1);

        assertThat(decoded.origin()).isEqualTo(5);
        assertSame(decoded.event(), new StreamEvent("s", 3, "t", 0, 4, -1, "{}".getBytes(StandardCharsets.UTF_8), null));
    }

    @Test
    void ephemeralEventsWithNoUnreadChangeAndEmptyFieldsRoundTrip() throws Exception {
        StreamEvent event = new StreamEvent("u", 0, "", -1L, -1, new byte[0]);
        assertSame(StreamEventCodec.decode(StreamEventCodec.encode(event, 0)).event(), event);
    }

    @Test
    void theUserExcludedFromAnEventTravelsWithIt() throws Exception {
        StreamEvent typing = StreamEvent.ephemeralExcept("conversation:9", "typing",
                "{\"type\":\"typing\"}".getBytes(StandardCharsets.UTF_8), "alice");
        StreamEvent emptyId = new StreamEvent("s", 0, "typing", 1, -1, new byte[0], "");

        assertThat(StreamEventCodec.decode(StreamEventCodec.encode(typing, 3)).event().excludeUserId()).isEqualTo("alice");
        assertThat(StreamEventCodec.decode(StreamEventCodec.encode(emptyId, 3)).event().excludeUserId()).isEmpty();
        assertThat(StreamEventCodec.decode(StreamEventCodec.encode(event(), 3)).event().excludeUserId()).isNull();
    }

    private static StreamEvent event() {
        return new StreamEvent("s", 1, "t", 0, -1, new byte[0]);
    }

    @Test
    void randomEventsRoundTripAndStayCompact() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            byte[] json = new byte[random.nextInt(300)];
            random.nextBytes(json);
            long seq = random.nextBoolean() ? random.nextInt(1_000) : random.nextLong() & Long.MAX_VALUE;
            long unread = random.nextInt(3) == 0 ? -1 : random.nextLong();
            long unseen = random.nextInt(3) == 0 ? -1 : random.nextLong();
            StreamEvent event = new StreamEvent("user:" + random.nextInt(), seq, "t" + random.nextInt(9),
                    random.nextLong(), unread, unseen, json, random.nextInt(4) == 0 ? "user-" + random.nextInt(1000) : null);
            byte[] encoded = StreamEventCodec.encode(event, random.nextLong());
            assertSame(StreamEventCodec.decode(encoded).event(), event);
        }
        StreamEvent typical = new StreamEvent("user:123456", 1_234, "notification", 1_732_334_455_123L, 7, new byte[150]);
        assertThat(StreamEventCodec.encode(typical, 1L).length - 150 - "user:123456".length() - "notification".length())
                .as("header bytes: version, kind, origin, 2-byte seq, time, 1-byte unread and unseen, four lengths").isEqualTo(27);
    }

    @Test
    void everyTruncationOfAValidMessageIsRejectedAsMalformed() {
        byte[] valid = StreamEventCodec.encode(new StreamEvent("user:1", 300, "notification", 5, 2,
                "{\"a\":1}".getBytes(StandardCharsets.UTF_8)), 7);
        for (int len = 0; len < valid.length; len++) {
            byte[] cut = Arrays.copyOf(valid, len);
            assertThatThrownBy(() -> StreamEventCodec.decode(cut)).as("length " + len)
                    .isInstanceOf(StreamEventCodec.MalformedMessageException.class);
        }
    }

    @Test
    void unknownVersionsKindsTrailingBytesAndEndlessVarintsAreNamedByKind() {
        byte[] valid = StreamEventCodec.encode(new StreamEvent("s", 1, "t", 0, -1, new byte[]{'{', '}'}), 1);
        byte[] future = valid.clone();
        future[0] = 3;
        byte[] otherKind = valid.clone();
        otherKind[1] = 'Z';
        byte[] trailing = Arrays.copyOf(valid, valid.length + 1);
        byte[] endless = new byte[30];
        endless[0] = StreamEventCodec.VERSION;
        endless[1] = StreamEventCodec.EVENT;
        Arrays.fill(endless, 10, 30, (byte) 0xFF); // origin, then a varint that never ends

        assertKind(future, "unknown-version");
        assertKind(otherKind, "unknown-kind");
        assertKind(trailing, "trailing-bytes");
        assertKind(endless, "bad-varint");
        assertKind(new byte[0], "truncated");
        assertKind(null, "truncated");
    }

    @Test
    void aLengthLargerThanTheMessageIsRejectedWithoutAllocatingIt() {
        // origin, seq 1, time 0, unread 0, unseen 0, no excluded user, then a stream "of" 2^35-1 bytes
        byte[] message = new byte[]{StreamEventCodec.VERSION, StreamEventCodec.EVENT, 0, 0, 0, 0, 0, 0, 0, 1,
                1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07};
        assertKind(message, "truncated");
    }

    @Test
    void aResyncHintRoundTripsAndIsNotMistakenForAnEvent() throws Exception {
        byte[] hint = StreamEventCodec.encodeResyncHint(99L, "node-é");
        StreamEventCodec.ResyncHint decoded = StreamEventCodec.decodeResyncHint(hint);
        assertThat(decoded.origin()).isEqualTo(99L);
        assertThat(decoded.nodeId()).isEqualTo("node-é");
        assertKind(hint, "unknown-kind");
    }

    private static void assertKind(byte[] message, String kind) {
        assertThatThrownBy(() -> StreamEventCodec.decode(message))
                .isInstanceOfSatisfying(StreamEventCodec.MalformedMessageException.class, e -> assertThat(e.kind()).isEqualTo(kind));
    }

    private static void assertSame(StreamEvent actual, StreamEvent expected) {
        assertThat(actual.stream()).isEqualTo(expected.stream());
        assertThat(actual.seq()).isEqualTo(expected.seq());
        assertThat(actual.type()).isEqualTo(expected.type());
        assertThat(actual.createdAtMillis()).isEqualTo(expected.createdAtMillis());
        assertThat(actual.unread()).isEqualTo(expected.unread());
        assertThat(actual.unseen()).isEqualTo(expected.unseen());
        assertThat(actual.json()).isEqualTo(expected.json());
        assertThat(actual.excludeUserId()).isEqualTo(expected.excludeUserId());
    }
}
