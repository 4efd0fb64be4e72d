package dev.herald.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SocketIoCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void encodesConnectEventAndAckWithNamespaceAndAckId() throws Exception {
        assertThat(SocketIoCodec.encode(new SocketIoPacket(SocketIoPacketType.CONNECT, "/", null,
                json("{\"sid\":\"abc\"}"))).text()).isEqualTo("0{\"sid\":\"abc\"}");
        assertThat(SocketIoCodec.encode(new SocketIoPacket(SocketIoPacketType.EVENT, "/admin", 12L,
                json("[\"hi\",1]"))).text()).isEqualTo("2/admin,12[\"hi\",1]");
        assertThat(SocketIoCodec.encode(new SocketIoPacket(SocketIoPacketType.ACK, "/", 456L,
                json("[1]"))).text()).isEqualTo("3456[1]");
        assertThat(SocketIoCodec.encode(new SocketIoPacket(SocketIoPacketType.DISCONNECT, "/custom", null,
                null)).text()).isEqualTo("1/custom,");
    }

    @Test
    void aPreparedEventEncodesAsTheSameEventWithItsOffsetLast() throws Exception {
        JsonNode payload = json("{\"z\":1,\"s\":\"a \\\"b\\\" \u00e9\",\"raw\":[true,null]}");
        JsonNode raw = JsonNodeFactory.instance.rawValueNode(new com.fasterxml.jackson.databind.util.RawValue(
                "{\"type\":\"x\",\"n\":2}"));
        PreparedEvent prepared = PreparedEvent.of("news", payload, raw, 7, "text");
        for (String nsp : new String[] {"/", "/feed"}) {
            for (String offset : new String[] {null, "AbC_d-e1-z9"}) {
                ArrayNode data = JSON.createArrayNode().add("news").add(payload);
                data.addRawValue(new com.fasterxml.jackson.databind.util.RawValue("{\"type\":\"x\",\"n\":2}"));
                data.add(7).add("text");
                if (offset != null) {
                    data.add(offset);
                }
                String expected = SocketIoCodec.encode(new SocketIoPacket(SocketIoPacketType.EVENT, nsp, null, data)).text();
                assertThat(SocketIoCodec.event(nsp, prepared, offset)).as("namespace %s, offset %s", nsp, offset)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void aPreparedEventRefusesBinaryArgumentsAndReservedNames() {
        assertThatThrownBy(() -> PreparedEvent.of("upload", new byte[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("binary");
        assertThatThrownBy(() -> PreparedEvent.of("connect", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PreparedEvent.of(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepsObjectKeyOrderAndWritesCompactJson() throws Exception {
        String in = "[\"e\",{\"z\":1,\"a\":{\"y\":[true,null],\"b\":\"s\"},\"m\":2.5}]";
        SocketIoPacket p = new SocketIoDecoder().add("2" + in);
        assertThat(SocketIoCodec.encode(p).text()).isEqualTo("2" + in);
    }

    @Test
    void turnsBinaryLeavesIntoPlaceholdersInDepthFirstOrder() throws Exception {
        ArrayNode data = JSON.createArrayNode().add("upload");
        data.add(BinaryNode.valueOf(new byte[] {1}));
        data.addObject().put("name", "f").set("content", BinaryNode.valueOf(new byte[] {2, 3}));
        SocketIoCodec.Encoded e = SocketIoCodec.encode(new SocketIoPacket(SocketIoPacketType.EVENT, "/", 7L, data));
        assertThat(e.text()).isEqualTo("52-7[\"upload\",{\"_placeholder\":true,\"num\":0},"
                + "{\"name\":\"f\",\"content\":{\"_placeholder\":true,\"num\":1}}]");
        assertThat(e.attachments()).containsExactly(new byte[] {1}, new byte[] {2, 3});
        assertThat(data.get(1).isBinary()).as("the caller's tree is not modified").isTrue();
    }

    @Test
    void decodesABinaryEventOnceAllAttachmentsArrived() throws Exception {
        SocketIoDecoder d = new SocketIoDecoder();
        assertThat(d.add("52-/nsp,9[\"m\",{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":0}]"))
                .isNull();
        assertThat(d.addBinary(new byte[] {1})).isNull();
        SocketIoPacket p = d.addBinary(new byte[] {2});
        assertThat(p.type()).isEqualTo(SocketIoPacketType.BINARY_EVENT);
        assertThat(p.namespace()).isEqualTo("/nsp");
        assertThat(p.ackId()).isEqualTo(9L);
        assertThat(p.data().get(1).binaryValue()).containsExactly(2);
        assertThat(p.data().get(2).binaryValue()).containsExactly(1);
        assertThat(d.add("2[\"next\"]").type()).as("the decoder is ready for the next packet")
                .isEqualTo(SocketIoPacketType.EVENT);
    }

    @Test
    void decodesConnectWithAndWithoutNamespaceOrPayload() throws Exception {
        SocketIoDecoder d = new SocketIoDecoder();
        assertThat(d.add("0")).isEqualTo(new SocketIoPacket(SocketIoPacketType.CONNECT, "/", null, null));
        assertThat(d.add("0/custom,")).isEqualTo(new SocketIoPacket(SocketIoPacketType.CONNECT, "/custom", null, null));
        assertThat(d.add("0/random")).isEqualTo(new SocketIoPacket(SocketIoPacketType.CONNECT, "/random", null, null));
        assertThat(d.add("0/custom,{\"token\":\"abc\"}").data()).isEqualTo(json("{\"token\":\"abc\"}"));
    }

    @Test
    void rejectsInvalidPackets() {
        Map<String, String> cases = Map.of(
                "abc", "unknown type",
                "9", "unknown type",
                "2{}", "event payload must be an array",
                "2abc[\"m\"]", "ack id must be digits",
                "2[]", "event needs a name",
                "2[\"disconnect\"]", "reserved event",
                "0[1]", "connect payload must be an object",
                "1{}", "disconnect carries no payload",
                "3{}", "ack payload must be an array",
                "2[\"m\"] trailing", "trailing garbage");
        cases.forEach((input, why) -> assertThatThrownBy(() -> new SocketIoDecoder().add(input)).as(why)
                .isInstanceOf(SocketIoDecodeException.class));
        assertThatThrownBy(() -> new SocketIoDecoder().add("")).isInstanceOf(SocketIoDecodeException.class);
        assertThatThrownBy(() -> new SocketIoDecoder().add("5x-[\"m\"]")).isInstanceOf(SocketIoDecodeException.class);
        assertThatThrownBy(() -> new SocketIoDecoder().add("511-[\"m\"]")).as("over the attachment cap")
                .isInstanceOf(SocketIoDecodeException.class);
    }

    @Test
    void rejectsMisplacedAttachmentsAndBadPlaceholders() throws Exception {
        assertThatThrownBy(() -> new SocketIoDecoder().addBinary(new byte[] {1}))
                .isInstanceOf(SocketIoDecodeException.class);
        SocketIoDecoder waiting = new SocketIoDecoder();
        waiting.add("51-[\"m\",{\"_placeholder\":true,\"num\":0}]");
        assertThatThrownBy(() -> waiting.add("2[\"m\"]")).isInstanceOf(SocketIoDecodeException.class);
        SocketIoDecoder bad = new SocketIoDecoder();
        bad.add("51-[\"m\",{\"_placeholder\":true,\"num\":5}]");
        assertThatThrownBy(() -> bad.addBinary(new byte[] {1})).isInstanceOf(SocketIoDecodeException.class);
    }

    @Test
    void convertsApplicationValuesToJson() {
        record Msg(String text, int n) {
        }
        assertThat(SocketIoCodec.toNode(new Msg("hi", 2)).toString()).isEqualTo("{\"text\":\"hi\",\"n\":2}");
        assertThat(SocketIoCodec.toNode(new byte[] {1}).isBinary()).isTrue();
        assertThat(SocketIoCodec.toNode(null).isNull()).isTrue();
    }

    @Test
    void writesEveryKindOfArgumentAsJacksonWouldAndRawJsonAsItIs() throws Exception {
        ArrayNode args = JsonNodeFactory.instance.arrayNode();
        args.add("quote \" backslash \\ newline \n tab \t bell \u0007 slash / \u00e9\u20ac\ud83d\ude00");
        args.add(0).add(-42).add(Long.MAX_VALUE).add(new java.math.BigInteger("123456789012345678901234567890"))
                .add(2.5).add(1e-7).add(true).add(false).addNull();
        args.add(json("{\"k\":[1,\"\\u0000\"],\"o\":{}}"));
        args.add(JsonNodeFactory.instance.arrayNode().add("nested").add(JsonNodeFactory.instance.arrayNode()));
        String expected = JSON.writeValueAsString(args);

        assertThat(SocketIoCodec.encode(new SocketIoPacket(SocketIoPacketType.EVENT, "/", null, args)).text())
                .isEqualTo("2" + expected);
        assertThat(JSON.readTree(expected)).isEqualTo(args);

        String stored = "{\"type\":\"order_created\",\"seq\":7,\"data\":{\"note\":\"\u00e9 \\\" }\"}}";
        ArrayNode withRaw = JsonNodeFactory.instance.arrayNode().add("notification")
                .add(JsonNodeFactory.instance.rawValueNode(new com.fasterxml.jackson.databind.util.RawValue(stored)))
                .add("offset-1");
        assertThat(SocketIoCodec.encode(new SocketIoPacket(SocketIoPacketType.EVENT, "/", null, withRaw)).text())
                .as("raw JSON is copied, not re-encoded").isEqualTo("2[\"notification\"," + stored + ",\"offset-1\"]");
    }
}
