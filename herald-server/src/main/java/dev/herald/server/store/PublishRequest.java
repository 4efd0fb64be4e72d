package dev.herald.server.store;

import java.util.List;
import java.util.Objects;

/**
 * One notification to store in one or more streams.
 *
 * @param streams         target stream keys (e.g. {@code user:42}, {@code branch:7}); may be empty
 *                        only when {@code allUserStreams} is true
 * @param allUserStreams  also target every known {@code user:*} stream (broadcast to everyone)
 * @param type            the app's notification type, also present in {@code json}
 * @param json            the app's notification object, serialized; stored as is
 * @param idempotencyKey  optional key; a second publish with the same key returns the first result
 * @param requestHash     fingerprint of the request, to detect a key reused with another body
 * @param category        the inbox category (also in {@code json}), or null
 * @param tags            the inbox tags (also in {@code json}); empty for none; none may contain a comma
 * @param expiresAt       when it leaves every feed, count and replay, to be purged (also in {@code json}); null: never
 * @param groupKey        the digest it joins in each user stream (also in {@code json}), or null
 * @param groupWindow     how recent the digest's latest event must be to be joined; null without a group
 * @param push            how its users are pushed: null for its category's default, {@link PushRequest#NONE}
 *                        for no push
 */
public record PublishRequest(List<String> streams, boolean allUserStreams, String type, String json,
                             String idempotencyKey, String requestHash, String category, List<String> tags,
                             java.time.Instant expiresAt, String groupKey, java.time.Duration groupWindow,
                             PushRequest push) {

    /** A request without category, tags, expiry, digest or push choice. */
    public PublishRequest(List<String> streams, boolean allUserStreams, String type, String json,
                          String idempotencyKey, String requestHash) {
        this(streams, allUserStreams, type, json, idempotencyKey, requestHash, null, List.of(), null, null, null);
    }

    /** A request that leaves push to its category's default. */
    public PublishRequest(List<String> streams, boolean allUserStreams, String type, String json,
                          String idempotencyKey, String requestHash, String category, List<String> tags,
                          java.time.Instant expiresAt, String groupKey, java.time.Duration groupWindow) {
        this(streams, allUserStreams, type, json, idempotencyKey, requestHash, category, tags, expiresAt, groupKey,
                groupWindow, null);
    }

    public PublishRequest {
        streams = List.copyOf(Objects.requireNonNull(streams, "streams"));
        tags = List.copyOf(Objects.requireNonNull(tags, "tags"));
        if ((groupKey == null) != (groupWindow == null)) {
            throw new IllegalArgumentException("groupKey and groupWindow: both or neither");
        }
        for (String tag : tags) {
            if (tag.isEmpty() || tag.indexOf(',') >= 0) {
                throw new IllegalArgumentException("tags: a tag is non-empty and has no comma, was '" + tag + "'");
            }
        }
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(json, "json");
        if (streams.isEmpty() && !allUserStreams) {
            throw new IllegalArgumentException("streams: must name at least one stream unless allUserStreams");
        }
        if (idempotencyKey != null && requestHash == null) {
            throw new IllegalArgumentException("requestHash: required with an idempotencyKey");
        }
    }
}
