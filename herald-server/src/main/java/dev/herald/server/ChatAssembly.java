package dev.herald.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.broker.Broker;
import dev.herald.server.chat.ChatService;
import dev.herald.server.chat.ChatSettings;
import dev.herald.server.chat.ClusterConversationViewers;
import dev.herald.server.chat.TypingTracker;
import dev.herald.server.chat.presence.PresenceTracker;
import dev.herald.server.cluster.NodeDirectory;
import dev.herald.server.cluster.RedisNodeDirectory;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.delivery.SessionRegistry;
import dev.herald.server.notify.NotificationService;
import dev.herald.server.notify.PublishCommand;
import dev.herald.server.store.PushPolicy;
import dev.herald.server.store.PushRequest;
import dev.herald.server.stream.Streams;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Chat on a node: conversations and messages, typing, and presence, shared with the other nodes
 * of a cluster through the node directory.
 *
 * @param chat      the chat service every transport and the HTTP API use
 * @param presence  online/offline as conversation partners see it; listens to the sessions
 * @param directory what this node holds in the cluster (presence, who is in a conversation)
 * @param timers    typing expiry, typing bucket purge, presence grace periods (one thread)
 */
record ChatAssembly(ChatService chat, PresenceTracker presence, NodeDirectory directory,
                    ScheduledExecutorService timers) {
    /**
     * How long a user stays "online" after their last socket closed: a page reload or a brief
     * network change reconnects well within it, so partners see no offline/online flicker.
     */
    static final Duration PRESENCE_GRACE = Duration.ofSeconds(5);
    private static final ObjectMapper CHAT_JSON = new ObjectMapper();
    /**
     * Partners told of one user's presence change at most: a user in more conversations than
     * this is an app's bot or support account, whose presence nobody watches one by one; the
     * bound keeps one status change from becoming an unbounded fanout.
     */
    static final int MAX_PRESENCE_PARTNERS = 10_000;
    /** How often typing rate buckets that refilled completely are dropped (memory follows typists). */
    static final Duration TYPING_PURGE_INTERVAL = Duration.ofSeconds(60);

    /**
     * How a {@code new_message} notification is pushed: {@code policy}, titled "New message from
     * X" with the message's preview as the body, one shown per conversation on a device (the
     * collapse key).
     */
    static PushRequest chatPush(String notification, String policy) {
        PushPolicy p = PushPolicy.of(policy).orElse(PushPolicy.NONE);
        if (p == PushPolicy.NONE) {
            return PushRequest.NONE;
        }
        try {
            JsonNode n = CHAT_JSON.readTree(notification);
            ObjectNode options = CHAT_JSON.createObjectNode().put("title", cut(n.path("message").asText("New message"), 200))
                    .put("body", cut(n.path("content_preview").asText(""), 1000));
            return new PushRequest(p, Duration.ZERO, "chat-" + n.path("chat_id").asText(), options.toString());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Herald's own new_message notification is JSON", e);
        }
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    /**
     * Builds chat and presence on the stores; a new message notifies the members not watching
     * the conversation through {@code notifications}; presence follows {@code sessions}.
     */
    static ChatAssembly start(HeraldConfig config, StoreAssembly stores, Broker broker,
                              NotificationService notifications, SessionRegistry sessions, ExecutorService blocking) {
        NodeDirectory directory = config.brokerUrl() == null ? NodeDirectory.local()
                : new RedisNodeDirectory(config.brokerUrl(), config.nodeId());
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("herald-chat-timers").daemon().factory());
        try {
            ChatSettings settings = ChatSettings.defaults();
            TypingTracker typing = new TypingTracker(settings, timers, System::nanoTime);
            timers.scheduleAtFixedRate(typing::purgeIdleBuckets, TYPING_PURGE_INTERVAL.toSeconds(),
                    TYPING_PURGE_INTERVAL.toSeconds(), TimeUnit.SECONDS);
            ChatService chat = new ChatService(stores.chat(), broker, new ClusterConversationViewers(directory), typing,
                    (users, notification, key) -> notifications.publish(new PublishCommand(
                            users.stream().map(Streams::user).toList(), false, "new_message", notification, null, List.of(),
                            null, null, chatPush(notification, config.push().chatPolicy())), key, key),
                    settings);
            PresenceTracker presence = new PresenceTracker(stores.presence(),
                    users -> stores.chat().partnersOf(users, MAX_PRESENCE_PARTNERS), user -> sessions.countOfUser(user) > 0,
                    broker, timers, blocking, PRESENCE_GRACE, Clock.systemUTC());
            presence.useDirectory(directory);
            sessions.addListener(presence);
            return new ChatAssembly(chat, presence, directory, timers);
        } catch (RuntimeException e) {
            timers.shutdownNow();
            directory.close();
            throw e;
        }
    }

    /**
     * Stops the timers (pending typing expiries and grace periods are dropped), then the node
     * directory (its holds expire in Redis, as after a crash).
     */
    void close() {
        timers.shutdownNow();
        directory.close();
    }
}
