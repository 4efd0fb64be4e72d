package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import okhttp3.HttpUrl;

/**
 * Chat for the client's user (chat-protocol.md): live events over {@code /ws/chat}, opened on
 * first use, and conversations and history over the HTTP API.
 *
 * <p>Thread-safe. The socket methods return at once and act on the client's loop thread; their
 * futures complete, and {@link ChatListener}s are called, on the client's event thread. The
 * HTTP methods block the calling thread (not Android's main thread) and throw
 * {@link HeraldException}.
 *
 * <p>Joined conversations are rejoined after a reconnect from the last message seq seen, so
 * messages are delivered once each, in order, with no gap. Sends not yet acknowledged are sent
 * again after a reconnect with the same {@code client_id}, so Herald stores each once.
 * {@code typing}, {@code read}, {@code react} and {@code setStatus} are dropped while the socket
 * is not connected (they are ephemeral; {@link #markRead} is the HTTP way to move a read marker).
 */
public final class Chat {
    private final ClientRuntime rt;
    private final ChatLink link;

    Chat(ClientRuntime rt, ChatLink link) {
        this.rt = rt;
        this.link = link;
    }

    /** Opens the chat socket now (it also opens on the first join or send). Idempotent. */
    public Chat open() {
        link.start(null);
        return this;
    }

    /** Opens the chat socket; the future completes at its {@code connected} (or fails when it is refused for good). */
    public CompletableFuture<Connected> connect() {
        CompletableFuture<Connected> f = new CompletableFuture<>();
        link.start(f);
        return f;
    }

    public Registration addListener(ChatListener listener) {
        return link.listeners.add(listener);
    }

    /** Joins a conversation: live messages from now on; kept across reconnects. Completes with {@code joined}. */
    public CompletableFuture<Joined> join(long conversationId) {
        return join(conversationId, null);
    }

    /** Joins and replays every message after {@code since} first (then live). */
    public CompletableFuture<Joined> join(long conversationId, Long since) {
        if (conversationId <= 0) {
            throw new IllegalArgumentException("conversationId: must be positive, was " + conversationId);
        }
        if (since != null && since < 0) {
            throw new IllegalArgumentException("since: must be >= 0, was " + since);
        }
        CompletableFuture<Joined> f = new CompletableFuture<>();
        open();
        if (!rt.onLoop(() -> link.join(conversationId, since, f))) {
            f.completeExceptionally(HeraldException.of(HeraldException.Kind.CLOSED, "the client was closed"));
        }
        return f;
    }

    public void leave(long conversationId) {
        rt.onLoop(() -> link.leave(conversationId));
    }

    /** Sends a text message with a new {@code client_id}; completes with the stored message at Herald's {@code ack}. */
    public CompletableFuture<ChatMessage> send(long conversationId, String content) {
        return send(conversationId, content, UUID.randomUUID().toString(), null);
    }

    /**
     * Sends a message. Pass the {@code clientId} of an earlier send to retry it (after a
     * {@link HeraldException.Kind#TIMEOUT}, say): Herald answers with the message it stored then.
     * Fails with the {@code error} frame's {@link HeraldException} ({@code conversation_not_found},
     * {@code content_too_long}, {@code rate_limited}, ...) or {@code TIMEOUT} after the ack timeout.
     *
     * @param messageType null for {@code text_message}
     */
    public CompletableFuture<ChatMessage> send(long conversationId, String content, String clientId, String messageType) {
        Args.notBlank("content", content);
        if (clientId == null || clientId.isEmpty() || clientId.length() > 128) {
            throw new IllegalArgumentException("clientId: 1-128 characters");
        }
        ObjectNode frame = Json.frame("send_message").put("conversation_id", conversationId).put("client_id", clientId)
                .put("content", content);
        if (messageType != null) {
            frame.put("message_type", messageType);
        }
        CompletableFuture<ChatMessage> f = new CompletableFuture<>();
        open();
        if (!rt.onLoop(() -> link.send(frame, f))) {
            f.completeExceptionally(HeraldException.of(HeraldException.Kind.CLOSED, "the client was closed"));
        }
        return f;
    }

    /**
     * The user is typing: call it on every keystroke. Sends {@code typing} once, repeats it every
     * 4 s while calls keep coming (Herald forgets a typing state after 5 s), and sends
     * {@code stop_typing} after the builder's {@code typingIdle} (3 s) without a call; a sent
     * message ends the typing state without one. As herald.js does.
     */
    public void typing(long conversationId) {
        rt.onLoop(() -> link.typing.typing(conversationId));
    }

    /** Ends the typing state now (the others get {@code stop_typing}); nothing when not typing. */
    public void stopTyping(long conversationId) {
        rt.onLoop(() -> link.typing.stop(conversationId));
    }

    /** Moves the user's read marker to {@code seq} (read receipts for the others). */
    public void read(long conversationId, long seq) {
        sendFrame(Json.frame("read").put("conversation_id", conversationId).put("seq", seq));
    }

    /** Adds ({@code add}) or removes a reaction to the message with {@code seq}. */
    public void react(long conversationId, long seq, String emoji, boolean add) {
        if (emoji == null || emoji.isEmpty()) {
            throw new IllegalArgumentException("emoji: required");
        }
        sendFrame(Json.frame("react").put("conversation_id", conversationId).put("seq", seq).put("emoji", emoji)
                .put("action", add ? "add" : "remove"));
    }

    /** {@code available}, {@code busy} or 1-100 characters of the user's own. */
    public void setStatus(String status) {
        if (status == null || status.isEmpty()) {
            throw new IllegalArgumentException("status: required");
        }
        open();
        sendFrame(Json.frame("set_status").put("status", status));
    }

    private void sendFrame(ObjectNode frame) {
        rt.onLoop(() -> link.send(frame));
    }

    // The HTTP API, on the caller's thread.

    /** Creates a conversation with the user in it ({@code kind} {@code direct} or {@code group}). */
    public Conversation createConversation(String kind, Collection<String> members, String title) {
        ObjectNode body = Json.object().put("kind", kind);
        ArrayNode m = body.putArray("members");
        members.forEach(m::add);
        if (title != null) {
            body.put("title", title);
        }
        return Conversation.of(rt.userCall("POST", rt.url("api/v1/conversations").build(), body).path("conversation"));
    }

    /** The user's conversations, newest activity first (each {@code raw} has {@code unread_count} and {@code last_message}). */
    public List<Conversation> conversations(int limit) {
        HttpUrl url = rt.url("api/v1/me/conversations").addQueryParameter("limit", Integer.toString(limit)).build();
        List<Conversation> out = new ArrayList<>();
        rt.userCall("GET", url, null).path("conversations").forEach(c -> out.add(Conversation.of(c)));
        return Collections.unmodifiableList(out);
    }

    /** Up to {@code limit} messages with a seq below {@code before} (null: the newest), in ascending seq order. */
    public List<ChatMessage> history(long conversationId, Long before, int limit) {
        HttpUrl.Builder url = rt.url("api/v1/conversations").addPathSegment(Long.toString(conversationId))
                .addPathSegment("messages").addQueryParameter("limit", Integer.toString(limit));
        if (before != null) {
            url.addQueryParameter("before", before.toString());
        }
        List<ChatMessage> out = new ArrayList<>();
        rt.userCall("GET", url.build(), null).path("messages").forEach(m -> out.add(ChatMessage.of(m)));
        return Collections.unmodifiableList(out);
    }

    /** Moves the read marker over HTTP (works while the socket is down); answers {@code {last_read_seq, unread_count}}. */
    public JsonNode markRead(long conversationId, long seq) {
        HttpUrl url = rt.url("api/v1/conversations").addPathSegment(Long.toString(conversationId)).addPathSegment("read").build();
        return rt.userCall("POST", url, Json.object().put("seq", seq));
    }
}
