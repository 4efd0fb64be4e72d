package dev.herald.server.transport.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Principal;
import dev.herald.server.chat.ChatException;
import dev.herald.server.chat.ChatFrames;
import dev.herald.server.chat.ChatService;
import dev.herald.server.chat.ChatStreams;
import dev.herald.server.chat.Conversation;
import dev.herald.server.chat.Membership;
import dev.herald.server.chat.MessageRef;
import dev.herald.server.chat.SendResult;
import dev.herald.server.delivery.StreamSubscription;
import dev.herald.server.delivery.TypeFilter;
import dev.herald.server.presence.PresenceTracker;
import dev.herald.server.store.StoreUnavailableException;
import dev.herald.server.transport.TransportContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@code /ws/chat} connection. It follows the user's own {@code chatuser:} stream from the
 * start (presence, status, "added to a conversation"), and each conversation it {@code join}s
 * ({@code conv:<id>}, resumable with {@code since}). Every other frame is parsed here and
 * handed to {@link ChatService}, which holds the rules; answers come back as frames.
 *
 * <p>Store calls run on the blocking executor; their results are handled on the channel's loop.
 * All fields are touched only on that loop.
 */
final class WsChatHandler extends WsConnectionHandler {
    private static final Logger log = LoggerFactory.getLogger(WsChatHandler.class);
    private static final String FRAMES = "ping, refresh, join, leave, send_message, typing, stop_typing, read, react, set_status";

    private final ChatService chat;
    private final PresenceTracker presence;
    private StreamSubscription personal;
    private final Map<Long, StreamSubscription> joined = new HashMap<>();
    private final Set<Long> joining = new HashSet<>();
    private final Set<Long> typedIn = new HashSet<>();

    WsChatHandler(TransportContext context, Principal principal, ChatService chat, PresenceTracker presence) {
        super(context, principal);
        this.chat = chat;
        this.presence = presence;
    }

    @Override
    protected void onOpen() {
        personal = context.hub().subscribe(session, ChatStreams.user(principal.userId()), -1, TypeFilter.ALL, st -> {
            sendNow(context.json().createObjectNode().put("type", "connected")
                    .put("connection_id", session.id()).put("user_id", principal.userId()));
            ready();
        });
    }

    @Override
    protected void onFrame(String type, ObjectNode frame) {
        String ref = text(frame, "ref");
        try {
            switch (type) {
                case "join" -> join(frame, ref);
                case "leave" -> leave(frame, ref);
                case "send_message" -> sendMessage(frame);
                case "typing" -> {
                    long id = conversationId(frame);
                    call(() -> {
                        chat.typing(principal.userId(), id);
                        return id;
                    }, typedIn::add, null, ref);
                }
                case "stop_typing" -> {
                    long id = conversationId(frame);
                    call(() -> {
                        chat.stopTyping(principal.userId(), id);
                        return id;
                    }, typedIn::remove, null, ref);
                }
                case "read" -> {
                    long id = conversationId(frame);
                    long seq = number(frame, "seq");
                    call(() -> chat.markRead(principal.userId(), id, seq), r -> { }, null, ref);
                }
                case "react" -> react(frame, ref);
                case "set_status" -> {
                    String status = text(frame, "status");
                    if (status == null) {
                        throw ChatException.invalid("status", "required: available, busy or your own text");
                    }
                    call(() -> presence.setStatus(principal.userId(), status), s -> { }, null, ref);
                }
                default -> fail("unknown_type", "unknown frame type '" + type + "'; this endpoint accepts " + FRAMES,
                        "type", null, ref);
            }
        } catch (ChatException e) {
            fail(e, text(frame, "client_id"), ref);
        }
    }

    private void join(ObjectNode frame, String ref) {
        long id = conversationId(frame);
        long since = frame.has("since") && !frame.get("since").isNull() ? number(frame, "since") : -1;
        if (joining.contains(id)) {
            throw ChatException.invalid("conversation_id", "a join of this conversation is in progress");
        }
        if (!joined.containsKey(id) && joined.size() + joining.size() >= chat.settings().maxJoinsPerConnection()) {
            throw new ChatException(ChatException.Code.INVALID_FIELD, "conversation_id", "at most "
                    + chat.settings().maxJoinsPerConnection() + " conversations joined per connection; leave one first");
        }
        joining.add(id);
        record Joined(Conversation conversation, Membership membership) {
        }
        call(() -> new Joined(chat.conversation(principal.userId(), id), chat.requireMember(principal.userId(), id)),
                j -> {
                    joining.remove(id);
                    StreamSubscription previous = joined.remove(id);
                    if (previous != null) {
                        // A re-join (e.g. with a new since): the new subscription replaces the old.
                        context.hub().unsubscribe(previous);
                    }
                    joined.put(id, context.hub().subscribe(session, ChatStreams.conversation(id), since, TypeFilter.ALL,
                            st -> sendNow(ChatFrames.joined(j.conversation(), st.lastSeq(),
                                    j.membership().lastReadSeq(), since, ref))));
                    chat.viewers().joined(id, principal.userId(), session.id());
                },
                () -> joining.remove(id), ref);
    }

    private void leave(ObjectNode frame, String ref) {
        long id = conversationId(frame);
        StreamSubscription sub = joined.remove(id);
        if (sub == null) {
            throw new ChatException(ChatException.Code.CONVERSATION_NOT_FOUND, "conversation_id",
                    "this connection has not joined conversation " + id);
        }
        context.hub().unsubscribe(sub);
        chat.viewers().left(id, principal.userId(), session.id());
        ObjectNode left = context.json().createObjectNode().put("type", "left").put("conversation_id", id);
        if (ref != null) {
            left.put("ref", ref);
        }
        sendNow(left);
    }

    private void sendMessage(ObjectNode frame) {
        String clientId = text(frame, "client_id");
        long id;
        try {
            id = conversationId(frame);
            if (frame.has("client_id") && clientId == null) {
                throw ChatException.invalid("client_id", "must be a string");
            }
        } catch (ChatException e) {
            fail(e, clientId, null);
            return;
        }
        JsonNode content = frame.get("content");
        if (content != null && !content.isTextual()) {
            fail(ChatException.invalid("content", "must be a string"), clientId, null);
            return;
        }
        String messageType = text(frame, "message_type");
        call(() -> chat.send(principal.userId(), principal.name(), id, content == null ? null : content.asText(),
                        clientId, messageType),
                (SendResult r) -> sendNow(ChatFrames.ack(clientId, r.message(), r.replayed())), null, clientId, null);
    }

    private void react(ObjectNode frame, String ref) {
        long id = conversationId(frame);
        String emoji = text(frame, "emoji");
        String action = frame.has("action") ? text(frame, "action") : "add";
        if (!"add".equals(action) && !"remove".equals(action)) {
            throw ChatException.invalid("action", "must be add or remove");
        }
        MessageRef message;
        if (frame.has("seq") == frame.has("message_id")) {
            throw ChatException.invalid("seq", "give exactly one of seq or message_id");
        }
        message = frame.has("seq") ? MessageRef.bySeq(positive(frame, "seq")) : MessageRef.byId(positive(frame, "message_id"));
        boolean add = action.equals("add");
        call(() -> chat.react(principal.userId(), id, message, emoji, add), r -> { }, null, ref);
    }

    /** Runs a service call off the loop; the result or the error comes back on the loop. */
    private <T> void call(Supplier<T> work, Consumer<T> onLoop, Runnable onFailure, String ref) {
        call(work, onLoop, onFailure, null, ref);
    }

    private <T> void call(Supplier<T> work, Consumer<T> onLoop, Runnable onFailure, String clientId, String ref) {
        context.blocking().execute(() -> {
            T result;
            try {
                result = work.get();
            } catch (ChatException e) {
                ctx.executor().execute(() -> {
                    if (onFailure != null) {
                        onFailure.run();
                    }
                    fail(e, clientId, ref);
                });
                return;
            } catch (IllegalArgumentException e) {
                String msg = String.valueOf(e.getMessage());
                String field = msg.contains(":") ? msg.substring(0, msg.indexOf(':')) : null;
                ctx.executor().execute(() -> {
                    if (onFailure != null) {
                        onFailure.run();
                    }
                    fail("invalid_frame", msg, field, clientId, ref);
                });
                return;
            } catch (StoreUnavailableException e) {
                log.warn("store unavailable session={} user={}: {}", session.id(), principal.userId(), e.getMessage());
                ctx.executor().execute(() -> {
                    if (onFailure != null) {
                        onFailure.run();
                    }
                    fail("unavailable", "the store is unavailable; nothing was changed, retry later", null, clientId, ref);
                });
                return;
            } catch (RuntimeException e) {
                log.error("chat request failed session={} user={}", session.id(), principal.userId(), e);
                ctx.executor().execute(() -> {
                    if (onFailure != null) {
                        onFailure.run();
                    }
                    fail("internal_error", "internal error", null, clientId, ref);
                });
                return;
            }
            ctx.executor().execute(() -> {
                if (ctx.channel().isActive()) {
                    onLoop.accept(result);
                } else if (onFailure != null) {
                    onFailure.run();
                }
            });
        });
    }

    private void fail(ChatException e, String clientId, String ref) {
        fail(e.code().wire(), e.getMessage(), e.field(), clientId, ref);
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
        long v = number(frame, field);
        if (v < 1) {
            throw ChatException.invalid(field, "must be a number >= 1");
        }
        return v;
    }

    /** A required non-negative integer field; numeric strings are accepted too. */
    private static long number(ObjectNode frame, String field) {
        JsonNode v = frame.get(field);
        if (v == null || v.isNull()) {
            throw ChatException.invalid(field, "required");
        }
        if (v.isIntegralNumber() && v.canConvertToLong() && v.asLong() >= 0) {
            return v.asLong();
        }
        if (v.isTextual() && v.asText().matches("[0-9]{1,18}")) {
            return Long.parseLong(v.asText());
        }
        throw ChatException.invalid(field, "must be a number >= 0");
    }

    /** A string field, or null when absent or not a string; numbers are given as text (for ref). */
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
        if (personal != null) {
            context.hub().writable(personal);
        }
        joined.values().forEach(context.hub()::writable);
    }

    @Override
    protected void onClosed() {
        if (personal != null) {
            context.hub().unsubscribe(personal);
        }
        for (Map.Entry<Long, StreamSubscription> e : joined.entrySet()) {
            context.hub().unsubscribe(e.getValue());
            chat.viewers().left(e.getKey(), principal.userId(), session.id());
        }
        joined.clear();
        chat.endTyping(principal.userId(), Set.copyOf(typedIn));
        typedIn.clear();
    }
}
