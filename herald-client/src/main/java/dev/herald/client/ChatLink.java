package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import okhttp3.HttpUrl;

/**
 * The {@code /ws/chat} socket and its state: the joined conversations with the last message seq
 * seen in each (rejoined with {@code since} after a reconnect), and the sends not yet
 * acknowledged (sent again, with the same {@code client_id}, after a reconnect: Herald stores a
 * {@code client_id} once). Every field only on the loop thread.
 */
final class ChatLink extends SocketLink {
    private static final int SEEN_IDS_KEPT = 1000;

    final Listeners<ChatListener> listeners = new Listeners<>();
    final TypingIndicator typing;
    private final Map<Long, JoinState> joined = new LinkedHashMap<>();
    private final Map<String, PendingSend> pending = new LinkedHashMap<>();
    private long refs;

    private static final class JoinState {
        long lastSeq = -1;
        String ref;
        CompletableFuture<Joined> waiter;
        final LinkedHashSet<Long> seenIds = new LinkedHashSet<>();
    }

    private record PendingSend(ObjectNode frame, CompletableFuture<ChatMessage> future, ScheduledFuture<?> timeout) {
    }

    ChatLink(ClientRuntime rt) {
        super(rt, Endpoint.CHAT);
        this.typing = new TypingIndicator(rt, this);
    }

    @Override
    HttpUrl url() {
        return rt.url("ws/chat").build();
    }

    void join(long conversationId, Long since, CompletableFuture<Joined> waiter) {
        JoinState state = joined.computeIfAbsent(conversationId, id -> new JoinState());
        if (since != null) {
            state.lastSeq = since;
        }
        if (state.waiter != null && state.waiter != waiter) {
            CompletableFuture<Joined> earlier = state.waiter;
            waiter.whenComplete((j, e) -> {
                if (e != null) {
                    earlier.completeExceptionally(e);
                } else {
                    earlier.complete(j);
                }
            });
        }
        state.waiter = waiter;
        sendJoin(conversationId, state);
    }

    void leave(long conversationId) {
        typing.stop(conversationId);
        JoinState state = joined.remove(conversationId);
        if (state != null && state.waiter != null) {
            CompletableFuture<Joined> w = state.waiter;
            rt.events.post(() -> w.cancel(false));
        }
        send(Json.frame("leave").put("conversation_id", conversationId));
    }

    void send(ObjectNode frame, CompletableFuture<ChatMessage> future) {
        typing.clear(frame.path("conversation_id").asLong()); // the message ends the typing state
        String clientId = frame.path("client_id").asText();
        PendingSend earlier = pending.remove(clientId);
        if (earlier != null) {
            // The caller retries a send still in flight: both futures complete with its ack.
            earlier.timeout().cancel(false);
            future.whenComplete((m, e) -> {
                if (e != null) {
                    earlier.future().completeExceptionally(e);
                } else {
                    earlier.future().complete(m);
                }
            });
        }
        long ackMillis = rt.config.ackTimeout().toMillis();
        ScheduledFuture<?> timeout = rt.schedule(() -> {
            PendingSend p = pending.get(clientId);
            if (p != null && p.future() == future) {
                pending.remove(clientId);
                HeraldException e = new HeraldException(HeraldException.Kind.TIMEOUT, 0, "ack_timeout", null, null,
                        "no ack for client_id " + clientId + " within " + ackMillis + " ms; send again with the same client_id", null);
                rt.events.post(() -> future.completeExceptionally(e));
            }
        }, ackMillis);
        pending.put(clientId, new PendingSend(frame, future, timeout));
        send(frame); // when the socket is down, sent on the next connected
    }

    @Override
    void onStopped(HeraldException why) {
        typing.clearAll();
        for (PendingSend p : pending.values()) {
            p.timeout().cancel(false);
            rt.events.post(() -> p.future().completeExceptionally(why));
        }
        pending.clear();
        for (JoinState state : joined.values()) {
            if (state.waiter != null) {
                CompletableFuture<Joined> w = state.waiter;
                state.waiter = null;
                rt.events.post(() -> w.completeExceptionally(why));
            }
        }
    }

    @Override
    void onFrame(String type, JsonNode frame) {
        switch (type) {
            case "connected" -> {
                established(new Connected(endpoint, frame.path("connection_id").asText(null), frame.path("user_id").asText(null),
                        null, 0, frame), null);
                resume();
            }
            case "joined" -> joined(frame);
            case "ack" -> {
                PendingSend p = pending.remove(frame.path("client_id").asText());
                ChatMessage m = ChatMessage.of(frame.path("message"));
                if (p != null) {
                    p.timeout().cancel(false);
                    rt.events.post(() -> p.future().complete(m));
                }
                message(m, false);
            }
            case "message" -> message(ChatMessage.of(frame), true);
            case "error" -> error(frame);
            case "typing", "stop_typing" -> {
                long conv = frame.path("conversation_id").asLong();
                String user = frame.path("user_id").asText();
                boolean typing = type.equals("typing");
                emit(l -> l.onTyping(conv, user, typing));
            }
            case "read_receipt" -> {
                long conv = frame.path("conversation_id").asLong();
                String user = frame.path("user_id").asText();
                long seq = frame.path("seq").asLong();
                emit(l -> l.onReadReceipt(conv, user, seq));
            }
            case "reaction" -> {
                Reaction r = new Reaction(frame.path("conversation_id").asLong(), frame.path("message_id").asLong(),
                        frame.path("seq").asLong(), frame.path("user_id").asText(), frame.path("emoji").asText(),
                        !"removed".equals(frame.path("action").asText()));
                emit(l -> l.onReaction(r));
            }
            case "presence" -> {
                Presence p = new Presence(frame.path("user_id").asText(), "online".equals(frame.path("status").asText()), null,
                        frame.path("last_seen").asText(null));
                emit(l -> l.onPresence(p));
            }
            case "status_updated" -> {
                String user = frame.path("user_id").asText();
                String status = frame.path("status").asText();
                emit(l -> l.onStatusUpdated(user, status));
            }
            case "conversation_added" -> {
                JsonNode c = frame.path("conversation");
                emit(l -> l.onConversationAdded(c));
            }
            default -> {
                // left, pong and frames of later Herald versions
            }
        }
    }

    private void emit(java.util.function.Consumer<ChatListener> call) {
        rt.events.post(() -> listeners.each(call));
    }

    // A (re)connected socket: rejoin from the last seq seen, resend what was not acknowledged.
    private void resume() {
        for (Map.Entry<Long, JoinState> e : joined.entrySet()) {
            sendJoin(e.getKey(), e.getValue());
        }
        for (PendingSend p : pending.values()) {
            send(p.frame());
        }
    }

    private void sendJoin(long conversationId, JoinState state) {
        state.ref = "j" + (++refs);
        ObjectNode frame = Json.frame("join").put("conversation_id", conversationId).put("ref", state.ref);
        if (state.lastSeq >= 0) {
            frame.put("since", state.lastSeq);
        }
        send(frame);
    }

    private void joined(JsonNode frame) {
        JoinState state = joined.get(frame.path("conversation_id").asLong());
        if (state == null || !frame.path("ref").asText().equals(state.ref)) {
            return;
        }
        if (state.lastSeq < 0) {
            state.lastSeq = frame.path("seq").asLong();
        }
        if (state.waiter != null) {
            CompletableFuture<Joined> w = state.waiter;
            state.waiter = null;
            Joined j = Joined.of(frame);
            rt.events.post(() -> w.complete(j));
        }
    }

    private void error(JsonNode frame) {
        HeraldException e = HeraldException.ofErrorFrame(frame.path("code").asText(null), frame.path("message").asText(""),
                frame.path("field").asText(null));
        JsonNode clientId = frame.path("client_id");
        if (!clientId.isMissingNode() && !clientId.isNull()) {
            PendingSend p = pending.remove(clientId.asText());
            if (p != null) {
                p.timeout().cancel(false);
                rt.events.post(() -> p.future().completeExceptionally(e));
                return;
            }
        }
        String ref = frame.path("ref").asText(null);
        if (ref != null) {
            for (Iterator<JoinState> it = joined.values().iterator(); it.hasNext(); ) {
                JoinState state = it.next();
                if (ref.equals(state.ref)) {
                    it.remove();
                    if (state.waiter != null) {
                        CompletableFuture<Joined> w = state.waiter;
                        rt.events.post(() -> w.completeExceptionally(e));
                    }
                    return;
                }
            }
        }
        rt.connectionEvent(l -> l.onError(endpoint, e));
    }

    // A message arrives as `ack` and as `message` (either first), and again on resume: deliver
    // each once. Only `message` frames, which come in seq order, move the resume cursor.
    private void message(ChatMessage m, boolean inOrder) {
        JoinState state = joined.get(m.conversationId());
        if (state == null) {
            if (inOrder) {
                return; // a late frame of a conversation we left
            }
        } else {
            if (inOrder) {
                if (state.lastSeq >= 0 && m.seq() <= state.lastSeq) {
                    return;
                }
                state.lastSeq = m.seq();
            }
            if (!state.seenIds.add(m.id())) {
                return;
            }
            if (state.seenIds.size() > SEEN_IDS_KEPT) {
                Iterator<Long> oldest = state.seenIds.iterator();
                oldest.next();
                oldest.remove();
            }
        }
        emit(l -> l.onMessage(m));
    }
}
