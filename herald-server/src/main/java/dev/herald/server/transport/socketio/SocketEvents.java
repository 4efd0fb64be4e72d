package dev.herald.server.transport.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.chat.ChatError;
import dev.herald.server.chat.ChatException;
import dev.herald.server.chat.ChatFrames;
import dev.herald.server.chat.ChatFields;
import dev.herald.server.chat.ChatService;
import dev.herald.server.chat.SendRequest;
import dev.herald.server.chat.SendResult;
import dev.herald.server.delivery.CloseReason;
import dev.herald.server.chat.presence.PresenceTracker;
import dev.herald.server.config.RelayRule;
import dev.herald.server.stream.Streams;
import dev.herald.socketio.Ack;
import dev.herald.server.transport.FloodGuard;
import dev.herald.socketio.SocketIoSocket;

/**
 * The client events of Herald's Socket.IO namespace (docs/socketio.md, "Herald events"): parsing
 * and answering only; the rules live in {@link ChatService}, {@code ChatConnection} and
 * {@link PresenceTracker}. A refused event is answered through its ack as
 * {@code {error, code[, field]}} when the client asked for one, else with an {@code error} event
 * of the same shape. Events over the per-socket rate ({@code --client-frame-rate}, default 20/s,
 * bursts of {@code --client-frame-burst}, default 40) are dropped: answered {@code rate_limited}
 * on their ack when they have one, else by an {@code error} event at most once a second; a socket
 * still flooding is disconnected ({@link FloodGuard}).
 *
 * <p>Threading: handlers run on the socket's loop; store calls go to the blocking executor
 * (through {@code ChatConnection.call}) and answer from the loop, but for {@code sendMessage},
 * which is queued to the chat writer from the loop and answered on it ({@code ChatService.sendAsync}).
 */
final class SocketEvents {
    private static final SendRequest.Names SEND_FIELDS =
            new SendRequest.Names("conversationId", "clientId", "messageType", false);

    private interface Handler {
        void handle(ObjectNode payload, Ack ack);
    }

    private final HeraldSocket h;
    private final ChatService chatService;
    private final PresenceTracker presence;
    private final FloodGuard flood;

    SocketEvents(HeraldSocket h, ChatService chatService, PresenceTracker presence) {
        this.h = h;
        this.chatService = chatService;
        this.presence = presence;
        this.flood = new FloodGuard(h.context.config().clientFrameRate(), h.context.config().clientFrameBurst());
    }

    ChatService chatService() {
        return chatService;
    }

    /** Reading the socket was paused this long by backpressure: see {@link FloodGuard#resumedAfter}. */
    void resumedAfter(long pausedNanos) {
        flood.resumedAfter(pausedNanos);
    }

    /** Registers every handler on the socket. */
    void register() {
        SocketIoSocket s = h.socket;
        String user = h.principal.userId();
        on("joinConversation", (p, ack) -> join(conversationId(p), p.has("since") ? number(p, "since") : -1, ack));
        on("leaveConversation", (p, ack) -> {
            long id = conversationId(p);
            h.chat.leave(id);
            s.data().remove(HeraldSocket.CONVERSATION + id);
            reply(ack, h.context.json().createObjectNode().put("ok", true).put("conversationId", id));
        });
        on("sendMessage", this::sendMessage);
        on("typing", (p, ack) -> h.chat.typing(conversationId(p), e -> fail(e, ack)));
        on("stopTyping", (p, ack) -> h.chat.stopTyping(conversationId(p), e -> fail(e, ack)));
        on("markNotificationRead", (p, ack) -> {
            String id = text(p, "id");
            if (id == null) {
                throw ChatException.invalid("id", "required: the notification's id");
            }
            h.chat.call(() -> h.context.notifications().markRead(h.principal.userStream(), id).isPresent(),
                    found -> {
                        if (found) {
                            reply(ack, h.context.json().createObjectNode().put("ok", true));
                        } else {
                            fail("not_found", "no notification " + id, "id", ack);
                        }
                    }, e -> fail(e, ack));
        });
        on("markAllNotificationsRead", (p, ack) -> h.chat.call(
                () -> h.context.notifications().markAllRead(h.principal.userStream()),
                st -> reply(ack, h.context.json().createObjectNode().put("ok", true)), e -> fail(e, ack)));
        // Story 6: the identity is the token's; whatever the payload says is ignored.
        on("register", (p, ack) -> reply(ack, h.context.json().createObjectNode().put("ok", true).put("userId", user)));
        on("updateStatus", (p, ack) -> {
            String status = text(p, "status");
            if (status == null) {
                throw ChatException.invalid("status", "required: available, busy or your own text");
            }
            h.chat.call(() -> presence.setStatus(user, status),
                    saved -> reply(ack, h.context.json().createObjectNode().put("ok", true).put("status", saved)),
                    e -> fail(e, ack));
        });
        for (RelayRule rule : h.settings.relayRules()) {
            on(rule.clientEvent(), (p, ack) -> relay(rule, p, ack));
        }
    }

    /** Joins again after a recovery, resuming right after the last message emitted. */
    void rejoin(long conversationId, long seq) {
        join(conversationId, seq, null);
    }

    private void join(long id, long since, Ack ack) {
        h.chat.join(id, since, j -> {
            h.socket.data().put(HeraldSocket.CONVERSATION + id, j.since() >= 0 ? j.since() : j.lastSeq());
            ObjectNode answer = h.context.json().createObjectNode().put("ok", true).put("conversationId", id)
                    .put("lastSeq", j.lastSeq()).put("unreadCount", j.unread());
            answer.set("conversation", ChatFrames.conversationObject(j.conversation()));
            reply(ack, answer);
        }, e -> {
            h.socket.data().remove(HeraldSocket.CONVERSATION + id);
            fail(e, ack);
        });
    }

    private void sendMessage(ObjectNode p, Ack ack) {
        SendRequest request = SendRequest.parse(p, SEND_FIELDS);
        // Checked and queued on this loop, answered on it after the commit: no thread per send.
        h.chat.send(request, h.principal.name(),
                (SendResult r) -> reply(ack, EventMapping.message(ChatFrames.messageObject(r.message()))),
                e -> fail(e, ack));
    }

    private void relay(RelayRule rule, ObjectNode p, Ack ack) {
        JsonNode idNode = p.get(rule.idField());
        if (idNode == null || idNode.isNull() || idNode.isContainerNode() || idNode.asText().isBlank()) {
            throw ChatException.invalid(rule.idField(), "required");
        }
        String topic = Streams.topic(rule.topicType(), idNode.asText());
        if (!h.principal.mayRead(topic)) {
            fail("forbidden", "the token does not grant topic " + topic, rule.idField(), ack);
            return;
        }
        int reached = h.socket.to(RelayRule.room(topic)).emit(rule.serverEvent(), p);
        reply(ack, h.context.json().createObjectNode().put("ok", true).put("delivered", reached));
    }

    private void on(String event, Handler handler) {
        h.socket.on(event, (s, args, ack) -> {
            h.context.metrics().frameIn();
            if (!admit(ack)) {
                return;
            }
            JsonNode first = args.isEmpty() ? null : args.get(0);
            ObjectNode payload = first instanceof ObjectNode o ? o : h.context.json().createObjectNode();
            try {
                handler.handle(payload, ack);
            } catch (RuntimeException e) {
                fail(e, ack);
            }
        });
    }

    /**
     * The socket's rate limit. A dropped event that asked for an ack is answered with
     * {@code rate_limited} on its ack, each one: its client waits for that answer (a chat send
     * would otherwise look lost); the one that closes a flooding socket is answered by the close. One without an ack is answered by an {@code error} event at
     * most once a second. A socket that keeps flooding is closed after {@code FloodGuard}'s 100
     * drops in 10 s, which bounds the answers a flood gets.
     */
    private boolean admit(Ack ack) {
        FloodGuard.Verdict verdict = flood.admit();
        if (verdict == FloodGuard.Verdict.ADMIT) {
            return true;
        }
        h.context.metrics().refused(FloodGuard.REFUSED_REASON);
        if (verdict == FloodGuard.Verdict.CLOSE) {
            h.close(CloseReason.RATE_LIMITED);
        } else if (ack != null || verdict == FloodGuard.Verdict.REFUSE_AND_TELL) {
            fail("rate_limited", "too many events; at most " + flood.ratePerSecond()
                    + " per second, extra events are dropped", null, ack);
        }
        return false;
    }

    private void reply(Ack ack, Object answer) {
        if (ack != null) {
            ack.send(answer);
        }
    }

    /** The answer to a failed event, as {@link ChatError} says; a malformed field is an invalid event here. */
    private void fail(RuntimeException e, Ack ack) {
        ChatError error = ChatError.report(e, "socket.io event", h.id(), h.userId());
        fail(error.invalid() ? "invalid_event" : error.code(), error.message(), error.field(), ack);
    }

    private void fail(String code, String message, String field, Ack ack) {
        ObjectNode err = h.context.json().createObjectNode().put("error", message).put("code", code);
        if (field != null) {
            err.put("field", field);
        }
        if (ack != null) {
            ack.send(err);
        } else if (h.isOpen()) {
            h.socket.emit("error", err);
        }
    }

    private static long conversationId(ObjectNode p) {
        return ChatFields.positive(p, "conversationId");
    }

    private static long number(ObjectNode p, String field) {
        return ChatFields.number(p, field);
    }

    private static String text(ObjectNode p, String field) {
        JsonNode v = p.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }
}
