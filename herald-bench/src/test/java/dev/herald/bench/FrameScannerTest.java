package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameScannerTest {

    private static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @Test
    void readsTheSendTimeAndSeqOfAHeraldNotificationFrame() {
        ByteBuf frame = buf("{\"type\":\"bench\",\"t\":123456789012,\"i\":7,\"p\":\"xx\",\"id\":\"a-b\",\"seq\":42,"
                + "\"created_at\":\"2026-11-23T03:29:14.123Z\"}");
        assertThat(FrameScanner.longField(frame, Payload.T, -1)).isEqualTo(123456789012L);
        assertThat(FrameScanner.longField(frame, Payload.I, -1)).isEqualTo(7);
        assertThat(FrameScanner.longField(frame, Payload.SEQ, -1)).isEqualTo(42);
        assertThat(frame.readerIndex()).isZero();
        frame.release();
    }

    @Test
    void doesNotMistakeTheTypeKeyForTheTimeKey() {
        ByteBuf frame = buf("{\"type\":\"unread_count\",\"count\":4}");
        assertThat(FrameScanner.longField(frame, Payload.T, -1)).isEqualTo(-1);
        frame.release();
    }

    @Test
    void answersMissingForAKeyWithoutAnIntegerValue() {
        ByteBuf frame = buf("{\"t\":\"soon\",\"seq\":-3,\"i\":}");
        assertThat(FrameScanner.longField(frame, Payload.T, -1)).isEqualTo(-1);
        assertThat(FrameScanner.longField(frame, Payload.SEQ, 0)).isEqualTo(-3);
        assertThat(FrameScanner.longField(frame, Payload.I, 99)).isEqualTo(99);
        frame.release();
    }

    @Test
    void honoursTheReaderIndexOfASlicedFrame() {
        ByteBuf frame = buf("42[\"msg\",{\"t\":5,\"i\":6}]");
        frame.skipBytes(9);
        assertThat(FrameScanner.longField(frame, Payload.T, -1)).isEqualTo(5);
        assertThat(FrameScanner.startsWith(frame, "{\"t\"".getBytes(StandardCharsets.US_ASCII))).isTrue();
        frame.release();
    }

    @Test
    void readsTheSendTimeOfAPayloadCarriedAsTheContentOfAHeraldChatMessage() {
        // As Herald writes a message whose content is Payload.of(123456789012, 7): the JSON text
        // as a string, quotes escaped.
        ByteBuf frame = buf("{\"type\":\"message\",\"id\":9,\"conversation_id\":3,\"seq\":12,\"sender_id\":\"c1\","
                + "\"sender_name\":\"c1\",\"client_id\":\"m7\",\"message_type\":\"text_message\","
                + "\"content\":\"{\\\"t\\\":123456789012,\\\"i\\\":7,\\\"p\\\":\\\"xx\\\"}\","
                + "\"created_at\":\"2026-11-23T03:29:14.123Z\"}");
        assertThat(FrameScanner.longField(frame, Payload.T_IN_TEXT, -1)).isEqualTo(123456789012L);
        assertThat(FrameScanner.longField(frame, FrameScanner.keyInText("i"), -1)).isEqualTo(7);
        assertThat(FrameScanner.longField(frame, Payload.T, -1)).isEqualTo(-1);
        assertThat(FrameScanner.longField(frame, Payload.SEQ, -1)).isEqualTo(12);
        frame.release();
    }

    @Test
    void doesNotReadAPlainKeyAsAKeyInText() {
        ByteBuf frame = buf("{\"t\":5,\"i\":6}");
        assertThat(FrameScanner.longField(frame, Payload.T_IN_TEXT, -1)).isEqualTo(-1);
        assertThat(FrameScanner.longField(frame, Payload.T, -1)).isEqualTo(5);
        frame.release();
    }

    @Test
    void readsPlainStringFieldsAndRefusesEscapedOnes() {
        ByteBuf plain = buf("{\"to\":\"c17\",\"t\":1}");
        ByteBuf escaped = buf("{\"to\":\"c\\\"17\",\"t\":1}");
        ByteBuf number = buf("{\"to\":17}");
        assertThat(FrameScanner.stringField(plain, FrameScanner.key("to"))).isEqualTo("c17");
        assertThat(FrameScanner.stringField(escaped, FrameScanner.key("to"))).isNull();
        assertThat(FrameScanner.stringField(number, FrameScanner.key("to"))).isNull();
        plain.release();
        escaped.release();
        number.release();
    }
}
