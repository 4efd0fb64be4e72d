package dev.herald.server.chat;

import dev.herald.server.broker.Broker;
import dev.herald.server.memory.ByteBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;

/**
 * Chat as every transport uses it (the {@code /ws/chat} socket, the HTTP API, later Socket.IO):
 * conversations, messages, history, typing, read markers and reactions. Transports parse
 * frames and shape answers; every rule lives here.
 *
 * <ul>
 *   <li>Membership is checked on every call made for a user; a missing conversation and a
 *       non-member both get {@link ChatException.Code#CONVERSATION_NOT_FOUND}.</li>
 *   <li>A message is committed before {@link #send} returns; its {@code message} event goes
 *       to the broker right after the commit, from the store's writer thread, so the events of
 *       one conversation leave a node in seq order (events of two nodes may interleave:
 *       subscribers restore seq order from the store). Then every member except the sender who
 *       is not viewing the conversation gets one {@code new_message} notification, with the
 *       idempotency key {@code chat-message:<id>}, so a retried send never notifies twice.</li>
 *   <li>When the node's chat write queue is full, a send is refused at once with
 *       {@link ChatException.Code#RATE_LIMITED}; nothing is stored.</li>
 *   <li>Typing, read receipts and reactions are ephemeral events on the conversation's
 *       stream; conversation creation is announced on each member's {@code chatuser:} stream.</li>
 * </ul>
 *
 * <p>Thread-safe. Methods block on the store: call them from virtual threads; {@link #sendAsync}
 * is the one that never blocks.
 */
public final class ChatService {
    private static final Logger log = LoggerFactory.getLogger(ChatService.class);
    public static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_.@:-]{1,128}");
    private static final Pattern MESSAGE_TYPE = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final Pattern EMOJI = Pattern.compile("[^\\s\\p{Cntrl}]{1,32}");
    public static final String DEFAULT_MESSAGE_TYPE = "text_message";
    public static final int MAX_GROUP_MEMBERS = 1000;
    private static final int MAX_TITLE = 200;
    private static final int MAX_CLIENT_ID = 128;
    private static final int MAX_NAME = 200;

    /** Stores the story-3 notification for users who are not in the chat. Blocking. */
    @FunctionalInterface
    public interface MessageNotifier {
        void notify(List<String> userIds, String notificationJson, String idempotencyKey);
    }

    private final ChatStore store;
    private final Broker broker;
    private final ConversationViewers viewers;
    private final TypingTracker typing;
    private final MessageNotifier notifier;
    private final ChatSettings settings;

    public ChatService(ChatStore store, Broker broker, ConversationViewers viewers, TypingTracker typing,
                       MessageNotifier notifier, ChatSettings settings) {
        this.store = store;
        this.broker = broker;
        this.viewers = viewers;
        this.typing = typing;
        this.notifier = notifier;
        this.settings = settings;
        typing.onExpiry((conversationId, userId) -> broker.publish(ChatFrames.stopTyping(conversationId, userId)));
    }

    public ChatSettings settings() {
        return settings;
    }

    public ConversationViewers viewers() {
        return viewers;
    }

    /**
     * Creates a conversation, or returns the existing direct one of the same two users.
     *
     * @param creator the user creating it (added to the members), or null for an app backend
     */
    public ChatStore.Created createConversation(String creator, ConversationKind kind, List<String> members,
                                                String title) {
        Set<String> all = new LinkedHashSet<>();
        if (creator != null) {
            all.add(creator);
        }
        for (int i = 0; i < members.size(); i++) {
            String m = members.get(i);
            if (m == null || !USER_ID.matcher(m).matches()) {
                throw ChatException.invalid("members[" + i + "]",
                        "user ids are 1-128 characters of letters, digits and _ . @ : -");
            }
            all.add(m);
        }
        if (kind == ConversationKind.DIRECT && all.size() != 2) {
            throw ChatException.invalid("members", creator == null
                    ? "a direct conversation has exactly two distinct members"
                    : "a direct conversation has exactly one other member");
        }
        if (kind == ConversationKind.GROUP && (all.isEmpty() || all.size() > MAX_GROUP_MEMBERS)) {
            throw ChatException.invalid("members", "a group has 1-" + MAX_GROUP_MEMBERS + " members");
        }
        if (title != null && title.length() > MAX_TITLE) {
            throw ChatException.invalid("title", "at most " + MAX_TITLE + " characters");
        }
        ChatStore.Created created = store.create(kind, title, creator, List.copyOf(all));
        if (created.created()) {
            Conversation c = created.conversation();
            ChatFrames.toUsers(c.members(), "conversation_added", ChatFrames.conversationAdded(c)).forEach(broker::publish);
        }
        return created;
    }

    /** The conversation, when the user is a member. */
    public Conversation conversation(String userId, long conversationId) {
        return store.conversationFor(conversationId, userId).orElseThrow(() -> ChatException.notFound(conversationId));
    }

    public Membership requireMember(String userId, long conversationId) {
        return store.membership(conversationId, userId).orElseThrow(() -> ChatException.notFound(conversationId));
    }

    /** {@link #send(String, String, long, String, String, String)} for a request read by {@link SendRequest#parse}. */
    public SendResult send(String userId, String senderName, SendRequest request) {
        return send(userId, senderName, request.conversationId(), request.content(), request.clientId(),
                request.messageType());
    }

    /**
     * Stores and delivers a message. A retry with the same {@code clientId} returns the stored
     * message ({@link SendResult#replayed()}) and delivers and notifies nothing new.
     */
    public SendResult send(String userId, String senderName, long conversationId, String content, String clientId,
                           String messageType) {
        NewMessage message = newMessage(userId, senderName, conversationId, content, clientId, messageType);
        SendResult result;
        try {
            // The store publishes each new message right after its commit, on its writer thread:
            // the events of one conversation leave this node in seq order.
            result = store.append(message, this::publishCommitted)
                    .orElseThrow(() -> ChatException.notFound(conversationId));
        } catch (ChatStoreBusyException e) {
            throw busy(e);
        }
        announce(result);
        notifyAbsentMembers(result.message(), othersThan(result, userId));
        return result;
    }

    /**
     * {@link #send} for a caller that must not block (an event loop): checks the request and
     * queues the message at once, on the calling thread; the rest runs after the commit, on
     * {@code here} (the caller's loop), and on {@code blocking} only when a member may need the
     * new_message notification. The future completes when {@link #send} would have returned.
     *
     * @throws ChatException          at once for a bad request
     * @throws ChatStoreBusyException at once when the node's chat write queue is full: nothing
     *                                 was queued; {@link #whenStoreHasRoom} says when to try again
     *                                 ({@link ChatError} answers it {@code rate_limited})
     */
    public CompletableFuture<SendResult> sendAsync(String userId, String senderName, SendRequest request,
                                                   Executor here, Executor blocking) {
        long conversationId = request.conversationId();
        NewMessage message = newMessage(userId, senderName, conversationId, request.content(), request.clientId(),
                request.messageType());
        // An event loop times the store's wait itself: no hand-off to the JDK's delay scheduler.
        CompletableFuture<Optional<SendResult>> stored = store.appendAsync(message, this::publishCommitted,
                here instanceof ScheduledExecutorService loop ? loop : null);
        return stored.thenComposeAsync(found -> {
            SendResult result = found.orElseThrow(() -> ChatException.notFound(conversationId));
            announce(result);
            // Members viewing on this node need no notification: in the common case (everyone
            // in the chat) nothing leaves the loop.
            List<String> maybeAbsent = new ArrayList<>();
            for (String member : othersThan(result, userId)) {
                if (!viewers.isViewingHere(conversationId, member)) {
                    maybeAbsent.add(member);
                }
            }
            if (maybeAbsent.isEmpty()) {
                return CompletableFuture.completedFuture(result);
            }
            return CompletableFuture.supplyAsync(() -> {
                notifyAbsentMembers(result.message(), maybeAbsent);
                return result;
            }, blocking);
        }, here);
    }

    /**
     * Runs {@code wake} once when a send refused by {@link #sendAsync} with
     * {@link ChatStoreBusyException} may be tried again ({@link ChatStore#whenRoom}): on the
     * store's thread, so it must only hand work elsewhere.
     */
    public void whenStoreHasRoom(Runnable wake) {
        store.whenRoom(wake);
    }

    /**
     * Bytes of sends held by all connections of this node while the store has no room
     * ({@link ChatConnection}): within the heap the node is sized for whatever the number of
     * connections; beyond it, a send is refused at once.
     */
    public static final long MAX_HELD_BYTES_PER_NODE = 64L << 20;

    private final ByteBudget held = new ByteBudget(MAX_HELD_BYTES_PER_NODE);

    /** Takes {@code bytes} of the node's budget for held sends; false (nothing taken) when it is spent. */
    boolean reserveHeld(long bytes) {
        return held.take(bytes);
    }

    void releaseHeld(long bytes) {
        held.giveBack(bytes);
    }

    /** Bytes of sends held on this node right now (for tests and metrics). */
    public long heldBytes() {
        return held.used();
    }

    /** The message a send stores, once its fields are checked. */
    private NewMessage newMessage(String userId, String senderName, long conversationId, String content,
                                  String clientId, String messageType) {
        if (content == null) {
            throw ChatException.invalid("content", "required: the message text");
        }
        if (content.isBlank()) {
            throw ChatException.invalid("content", "must not be empty");
        }
        if (content.length() > settings.maxContentChars()) {
            throw new ChatException(ChatException.Code.CONTENT_TOO_LONG, "content",
                    "content: at most " + settings.maxContentChars() + " characters, was " + content.length());
        }
        if (clientId != null && (clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID)) {
            throw ChatException.invalid("client_id", "1-" + MAX_CLIENT_ID + " characters");
        }
        String type = messageType == null ? DEFAULT_MESSAGE_TYPE : messageType;
        if (!MESSAGE_TYPE.matcher(type).matches()) {
            throw ChatException.invalid("message_type", "lowercase letters, digits and _, e.g. text_message");
        }
        String name = senderName == null || senderName.isBlank() ? userId
                : senderName.length() > MAX_NAME ? senderName.substring(0, MAX_NAME) : senderName;
        return new NewMessage(conversationId, userId, name, clientId, type, content);
    }

    /** On the store's writer thread, right after the commit: the message event, in seq order. */
    private void publishCommitted(ChatMessage m) {
        broker.publish(ChatFrames.message(m));
    }

    private static ChatException busy(ChatStoreBusyException e) {
        return new ChatException(ChatException.Code.RATE_LIMITED, null, e.getMessage());
    }

    /** After a send: a replay's event again, the sender's typing state ended. Never blocks. */
    private void announce(SendResult result) {
        ChatMessage m = result.message();
        if (result.replayed()) {
            // The first attempt may have died between commit and publish; subscribers drop a seq
            // they already delivered.
            broker.publish(ChatFrames.message(m));
        }
        if (typing.stop(m.conversationId(), m.senderId())) {
            broker.publish(ChatFrames.stopTyping(m.conversationId(), m.senderId()));
        }
    }

    private static List<String> othersThan(SendResult result, String userId) {
        List<String> others = new ArrayList<>(result.members().size());
        for (String member : result.members()) {
            if (!member.equals(userId)) {
                others.add(member);
            }
        }
        return others;
    }

    /** The new_message notification for those of {@code candidates} not viewing the conversation. Blocks. */
    private void notifyAbsentMembers(ChatMessage m, List<String> candidates) {
        try {
            List<String> absent = new ArrayList<>();
            for (String member : candidates) {
                if (!viewers.isViewing(m.conversationId(), member)) {
                    absent.add(member);
                }
            }
            if (!absent.isEmpty()) {
                notifier.notify(absent, ChatFrames.newMessageNotification(m, settings.previewChars()),
                        "chat-message:" + m.id());
            }
        } catch (RuntimeException e) {
            // The message is stored and delivered; a retried send (same client_id) notifies again,
            // and the idempotency key keeps that to one notification.
            log.warn("new_message notification failed conversation={} message={}: {}", m.conversationId(), m.id(),
                    e.toString());
        }
    }

    /** Messages before {@code beforeSeq} (exclusive), ascending, at most {@code limit}. */
    public List<ChatMessage> history(String userId, long conversationId, long beforeSeq, int limit) {
        if (limit < 1 || limit > settings.historyMaxLimit()) {
            throw ChatException.invalid("limit", "must be 1.." + settings.historyMaxLimit());
        }
        if (beforeSeq < 1) {
            throw ChatException.invalid("before", "must be a seq >= 1");
        }
        requireMember(userId, conversationId);
        return store.history(conversationId, beforeSeq, limit);
    }

    /** Reactions on messages the caller may see (from {@link #history}). */
    public Map<Long, Map<String, List<String>>> reactions(List<Long> messageIds) {
        return store.reactions(messageIds);
    }

    /** Moves the read marker to {@code seq} (never back) and tells the members. */
    public ReadResult markRead(String userId, long conversationId, long seq) {
        if (seq < 0) {
            throw ChatException.invalid("seq", "must be >= 0");
        }
        ReadResult r = store.markRead(conversationId, userId, seq).orElseThrow(() -> ChatException.notFound(conversationId));
        if (r.changed()) {
            broker.publish(ChatFrames.readReceipt(r));
        }
        return r;
    }

    /** Adds or removes an emoji on a message and tells the members. */
    public Reaction react(String userId, long conversationId, MessageRef message, String emoji, boolean add) {
        if (emoji == null || !EMOJI.matcher(emoji).matches()) {
            throw ChatException.invalid("emoji", "1-32 characters without spaces, e.g. \uD83D\uDC4D");
        }
        requireMember(userId, conversationId);
        Reaction r = store.react(conversationId, userId, message, emoji, add).orElseThrow(() ->
                new ChatException(ChatException.Code.MESSAGE_NOT_FOUND, message.seq() > 0 ? "seq" : "message_id",
                        "no such message in conversation " + conversationId));
        if (r.changed()) {
            broker.publish(ChatFrames.reaction(r));
        }
        return r;
    }

    /** The user is typing: the other members get {@code typing} once, until it stops or expires. */
    public void typing(String userId, long conversationId) {
        if (typing.refresh(conversationId, userId)) {
            return;
        }
        acquireTypingToken(userId);
        requireMember(userId, conversationId);
        TypingTracker.Start start = typing.start(conversationId, userId);
        if (start == TypingTracker.Start.TOO_MANY) {
            throw new ChatException(ChatException.Code.RATE_LIMITED, null, "too many typing users on this node; retry later");
        }
        if (start == TypingTracker.Start.STARTED) {
            broker.publish(ChatFrames.typing(conversationId, userId));
        }
    }

    /** The user stopped typing: the other members get {@code stop_typing} if they saw {@code typing}. */
    public void stopTyping(String userId, long conversationId) {
        if (typing.stop(conversationId, userId)) {
            broker.publish(ChatFrames.stopTyping(conversationId, userId));
            return;
        }
        acquireTypingToken(userId);
        requireMember(userId, conversationId);
    }

    /**
     * A connection that typed in these conversations closed: end the user's typing there. Never
     * blocks (no store access), so it may run on an event loop.
     */
    public void endTyping(String userId, Iterable<Long> conversationIds) {
        for (long id : conversationIds) {
            if (typing.stop(id, userId)) {
                broker.publish(ChatFrames.stopTyping(id, userId));
            }
        }
    }

    private void acquireTypingToken(String userId) {
        if (!typing.tryAcquire(userId)) {
            throw new ChatException(ChatException.Code.RATE_LIMITED, null, "too many typing events; at most "
                    + settings.typingPerSecond() + " per second");
        }
    }

    /** The user's conversations with last message and unread count, newest activity first. */
    public List<ConversationSummary> conversations(String userId, int limit) {
        if (limit < 1 || limit > settings.historyMaxLimit()) {
            throw ChatException.invalid("limit", "must be 1.." + settings.historyMaxLimit());
        }
        return store.conversationsOf(userId, limit);
    }
}
