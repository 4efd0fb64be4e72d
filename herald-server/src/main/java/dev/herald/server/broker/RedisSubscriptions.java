package dev.herald.server.broker;

import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;

/**
 * Which stream channels this node wants, and keeping the pub/sub connection subscribed to
 * exactly those: per-stream reference counts, SUBSCRIBE/UNSUBSCRIBE in decision order, and the
 * takeover of every stream by a fresh connection.
 *
 * <h2>Ordering</h2>
 * A stream's SUBSCRIBE or UNSUBSCRIBE is written while its map entry is held (inside
 * {@code compute}), so the commands of one stream reach Redis in the order they were decided:
 * a late UNSUBSCRIBE cannot cancel a newer SUBSCRIBE. Single-stream changes hold the read lock;
 * {@link #takeOver} holds the write lock while it switches connection and writes the
 * SUBSCRIBEs of every stream, so no change of any stream falls between the snapshot and the
 * new connection.
 *
 * <h2>Confirmation</h2>
 * Each SUBSCRIBE is followed by a PING on the same connection; Redis answers in order, so the
 * PONG proves the subscription is in effect. (Lettuce completes a multi-channel SUBSCRIBE on its
 * first confirmation, so the SUBSCRIBE's own future does not prove that.)
 *
 * <p>Thread-safe. No method waits for I/O; the locks are held only while commands are written.
 */
final class RedisSubscriptions {
    private static final int SUBSCRIBE_BATCH = 512;

    /** This node's interest in one stream. Fields change under a lock (see class comment). */
    private static final class Interest {
        int refs;
        CompletableFuture<Void> confirmed;
    }

    private final String streamChannelPrefix;
    private final String controlChannel;
    private final String address;
    private final BiConsumer<StatefulRedisPubSubConnection<String, byte[]>, String> connectionFailed;
    private final ConcurrentHashMap<String, Interest> interests = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** The newest connection; maybe being taken over, maybe dead (its commands then fail at once). */
    private volatile StatefulRedisPubSubConnection<String, byte[]> subscriber;

    /**
     * @param connectionFailed told when a SUBSCRIBE failed on a connection, with why: the owner
     *                         replaces that connection (a no-op if it is already gone)
     */
    RedisSubscriptions(String streamChannelPrefix, String controlChannel, String address,
                       BiConsumer<StatefulRedisPubSubConnection<String, byte[]>, String> connectionFailed) {
        this.streamChannelPrefix = streamChannelPrefix;
        this.controlChannel = controlChannel;
        this.address = address;
        this.connectionFailed = connectionFailed;
    }

    /** Adds one reference; the first sends SUBSCRIBE. The future completes when it is in effect. */
    CompletableFuture<Void> subscribe(String stream) {
        Objects.requireNonNull(stream, "stream");
        CompletableFuture<?>[] result = new CompletableFuture<?>[1];
        lock.readLock().lock();
        try {
            interests.compute(stream, (key, in) -> {
                Interest interest = in != null ? in : new Interest();
                if (interest.refs++ == 0 || interest.confirmed.isCompletedExceptionally()) {
                    interest.confirmed = sendSubscribe(key);
                }
                result[0] = interest.confirmed;
                return interest;
            });
        } finally {
            lock.readLock().unlock();
        }
        return result[0].thenApply(ignored -> null); // a copy the caller cannot complete
    }

    /** Removes one reference; the last sends UNSUBSCRIBE. Unknown streams are ignored. */
    void unsubscribe(String stream) {
        Objects.requireNonNull(stream, "stream");
        lock.readLock().lock();
        try {
            interests.computeIfPresent(stream, (key, interest) -> {
                if (--interest.refs > 0) {
                    return interest;
                }
                StatefulRedisPubSubConnection<String, byte[]> conn = subscriber;
                if (conn != null) {
                    // If this fails the link is down, and the next connection starts clean.
                    conn.async().unsubscribe(streamChannelPrefix + key);
                }
                return null;
            });
        } finally {
            lock.readLock().unlock();
        }
    }

    boolean contains(String stream) {
        return interests.containsKey(stream);
    }

    /**
     * Makes a fresh connection the subscriber: subscribes it to the control channel and every
     * current stream, in batches. The future completes when all are in effect.
     */
    CompletableFuture<Void> takeOver(StatefulRedisPubSubConnection<String, byte[]> connection) {
        RedisPubSubAsyncCommands<String, byte[]> commands = connection.async();
        List<CompletableFuture<?>> replies = new ArrayList<>();
        CompletableFuture<Void> takenOver = new CompletableFuture<>();
        lock.writeLock().lock();
        try {
            subscriber = connection;
            List<String> batch = new ArrayList<>(SUBSCRIBE_BATCH);
            batch.add(controlChannel);
            for (var entry : interests.entrySet()) {
                entry.getValue().confirmed = takenOver;
                batch.add(streamChannelPrefix + entry.getKey());
                if (batch.size() == SUBSCRIBE_BATCH) {
                    replies.add(commands.subscribe(batch.toArray(String[]::new)).toCompletableFuture());
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                replies.add(commands.subscribe(batch.toArray(String[]::new)).toCompletableFuture());
            }
            replies.add(commands.ping().toCompletableFuture());
        } finally {
            lock.writeLock().unlock();
        }
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).whenComplete((ok, failure) -> {
            if (failure != null) {
                takenOver.completeExceptionally(failure);
            } else {
                takenOver.complete(null);
            }
        });
        return takenOver;
    }

    /** Caller holds the read lock and the stream's map entry. */
    private CompletableFuture<Void> sendSubscribe(String stream) {
        StatefulRedisPubSubConnection<String, byte[]> conn = subscriber;
        if (conn == null) {
            // Not connected yet: the first connection's takeover subscribes this stream, then resynchronizes.
            return CompletableFuture.failedFuture(new IllegalStateException("not connected to Redis at " + address));
        }
        RedisPubSubAsyncCommands<String, byte[]> commands = conn.async();
        CompletableFuture<Void> subscribed = commands.subscribe(streamChannelPrefix + stream).toCompletableFuture();
        CompletableFuture<String> pong = commands.ping().toCompletableFuture();
        CompletableFuture<Void> confirmed = CompletableFuture.allOf(subscribed, pong);
        confirmed.whenComplete((ok, failure) -> {
            if (failure != null) {
                // Refused or timed out on a live connection (overload, a stalled Redis), the stream
                // would stay unsubscribed: replacing the connection takes over every stream.
                connectionFailed.accept(conn, "SUBSCRIBE failed: " + RedisLink.describe(failure));
            }
        });
        return confirmed;
    }
}
