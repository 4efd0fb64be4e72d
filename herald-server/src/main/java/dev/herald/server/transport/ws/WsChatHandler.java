package dev.herald.server.transport.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Principal;
import dev.herald.server.chat.ChatConnection;
import dev.herald.server.chat.ChatError;
import dev.herald.server.chat.ChatException;
import dev.herald.server.chat.ChatFields;
import dev.herald.server.chat.ChatFrames;
import dev.herald.server.chat.ChatService;
import dev.herald.server.chat.MessageRef;
import dev.herald.server.chat.SendRequest;
import dev.herald.server.chat.presence.PresenceTracker;
import dev.herald.server.transport.TransportContext;

import java.util.function.Consumer;

/**
 * A {@code /ws/chat} connection. It follows the user's own {@code chatuser:} stream from the
 * start (presence, status, "added to a conversation"), and each conversation it {@code join}s
 * ({@code conv:<id>}, resumable with {@code since}). Frames are parsed here and handed to
 * {@link ChatConnection} and {@link ChatService}, which hold the rules; answers go back as frames
 * ({@code docs/chat-protocol.md}). A frame whose handling fails, at once or later on the store, is
 * answered with an {@code error} frame whose code {@link ChatError} chooses ({@code internal_error}
 * for anything that is not the client's fault); the connection stays open.
 *
 * <p>Store calls run on the blocking executor; their results are handled on the channel's loop.
 * All fields are touched only on that loop.
 */
final class WsChatHandler extends WsConnectionHandler {
    private static final SendRequest.Names SEND_FIELDS =
            new SendRequest.Names("conversation_id", "client_id", "message_type", false);
    private static final String FRAMES = "ping, refresh, join, leave, send_message, typing, stop_typing, read, react, set_status";

    private final ChatService chat;
    private final PresenceTracker presence;
    private ChatConnection connection; // only on the loop, from handlerAdded

    WsChatHandler(TransportContext context, Principal principal, ChatService chat, PresenceTracker presence) {
        super(context, principal);
        this.chat = chat;
        this.presence = presence;
    }

    @Override
    protected void onOpen() {
        connection = new ChatConnection(chat, context.hub(), session, context.blocking(), new ChatConnection.Reads() {
            @Override
            public void pause() {
                pauseReading();
            }

            @Override
            public void resume() {
                resumeReading();
            }
        });
        connection.open(() -> {
            sendNow(context.json().createObjectNode().put("type", "connected")
                    .put("connection_id", session.id()).put("user_id", principal.userId()));
            ready();
        });
    }

    @Override
    protected void onFrame(String type, ObjectNode frame) {
        String ref = text(frame, "ref");
        Consumer<RuntimeException> onError = e -> fail(e, null, ref);
        try {
            switch (type) {
                case "join" -> {
                    long id = conversationId(frame);
                    long since = frame.has("since") && !frame.get("since").isNull() ? number(frame, "since") : -1;
                    connection.join(id, since, j -> {
                        ObjectNode joined = ChatFrames.joined(j.conversation(), j.lastSeq(), j.lastReadSeq(), since, ref);
                        sendNow(joined);
                    }, onError);
                }
                case "leave" -> {
                    long id = conversationId(frame);
                    connection.leave(id);
                    ObjectNode left = context.json().createObjectNode().put("type", "left").put("conversation_id", id);
                    if (ref != null) {
                        left.put("ref", ref);
                    }
                    sendNow(left);
                }
                case "send_message" -> sendMessage(frame);
                case "typing" -> connection.typing(conversationId(frame), onError);
                case "stop_typing" -> connection.stopTyping(conversationId(frame), onError);
                case "read" -> {
                    long id = conversationId(frame);
                    long seq = number(frame, "seq");
                    connection.call(() -> chat.markRead(principal.userId(), id, seq), r -> { }, onError);
                }
                case "react" -> react(frame, onError);
                case "set_status" -> {
                    String status = text(frame, "status");
                    if (status == null) {
                        throw ChatException.invalid("status", "required: available, busy or your own text");
                    }
                    connection.call(() -> presence.setStatus(principal.userId(), status), s -> { }, onError);
                }
                default -> fail("unknown_type", "unknown frame type '" + type + "'; this endpoint accepts " + FRAMES,
                        "type", null, ref);
            }
        } catch (RuntimeException e) {
            // Not only a ChatException: anything else (a bug, an executor refusing work at
            // shutdown) would reach Netty and drop the connection without a word. ChatError
            // answers it internal_error and logs it once, as every chat transport does.
            fail(e, text(frame, "client_id"), ref);
        }
    }

    private void sendMessage(ObjectNode frame) {
        SendRequest request = SendRequest.parse(frame, SEND_FIELDS);
        String clientId = request.clientId();
        // Checked and queued on this loop, answered on it after the commit: no thread per send.
        // With the store full, the send is held and this connection is not read meanwhile.
        try {
            connection.send(request, principal.name(),
                    r -> sendNow(ChatFrames.ack(clientId, r.message(), r.replayed())), e -> fail(e, clientId, null));
        } catch (RuntimeException e) {
            fail(e, clientId, null);
        }
    }

    private void react(ObjectNode frame, Consumer<RuntimeException> onError) {
        long id = conversationId(frame);
        String emoji = text(frame, "emoji");
        String action = frame.has("action") ? text(frame, "action") : "add";
        if (!"add".equals(action) && !"remove".equals(action)) {
            throw ChatException.invalid("action", "must be add or remove");
        }
        if (frame.has("seq") == frame.has("message_id")) {
            throw ChatException.invalid("seq", "give exactly one of seq or message_id");
        }
        MessageRef message = frame.has("seq") ? MessageRef.bySeq(positive(frame, "seq"))
                : MessageRef.byId(positive(frame, "message_id"));
        boolean add = action.equals("add");
        connection.call(() -> chat.react(principal.userId(), id, message, emoji, add), r -> { }, onError);
    }

    /** An error frame for a failed request; which code and message is {@link ChatError}'s to say. */
    private void fail(RuntimeException e, String clientId, String ref) {
        ChatError error = ChatError.report(e, "chat request", session.id(), principal.userId());
        fail(error.code(), error.message(), error.field(), clientId, ref);
    }

    private void fail(String code, String message, String field, String clientId, String ref) {
        if (ctx.channel().isActive()) {
            sendNow(ChatFrames.error(code, message, field, clientId, ref));
        }
    }

    private static long conversationId(ObjectNode frame) {
        return positive(frame, "conversation_id");
    }

    private static long positive(ObjectNode frame, String field) {
        return ChatFields.positive(frame, field);
    }

    private static long number(ObjectNode frame, String field) {
        return ChatFields.number(frame, field);
    }

    /** A string field, or null when absent or not a string; a numeric {@code ref} is given as text. */
    private static String text(ObjectNode frame, String field) {
        JsonNode v = frame.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        return v.isNumber() && field.equals("ref") ? v.asText() : null;
    }

    @Override
    protected void onWritable() {
        if (connection != null) {
            connection.writable();
        }
    }

    @Override
    protected void onClosed() {
        if (connection != null) {
            connection.closed();
        }
    }
}
