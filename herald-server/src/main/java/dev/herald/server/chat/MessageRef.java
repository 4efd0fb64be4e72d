package dev.herald.server.chat;

/** Names a message of a conversation by its seq or by its id (exactly one is > 0). */
public record MessageRef(long seq, long id) {
    public MessageRef {
        if ((seq > 0) == (id > 0)) {
            throw new IllegalArgumentException("message: give exactly one of seq or message_id");
        }
    }

    public static MessageRef bySeq(long seq) {
        return new MessageRef(seq, 0);
    }

    public static MessageRef byId(long id) {
        return new MessageRef(0, id);
    }
}
