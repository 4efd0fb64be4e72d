package dev.herald.server.chat;

import dev.herald.server.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client is told when one of its chat requests fails, whatever the transport: the
 * {@code code} of docs/chat-protocol.md ("Errors"), a message for people and the offending field
 * (or null). Which failure becomes which code, and what is logged about it, is decided here once;
 * a transport only puts the answer into its own shape (a {@code /ws/chat} {@code error} frame, a
 * Socket.IO ack or {@code error} event).
 *
 * <ul>
 *   <li>a {@link ChatException}: its code's wire name, message and field; nothing is logged (the
 *       client asked for something it cannot have);</li>
 *   <li>an {@link IllegalArgumentException} from a rule below the service ({@code "field: why"}):
 *       {@link #INVALID}, the field taken from before the colon;</li>
 *   <li>a {@link ChatStoreBusyException} (the node's chat write queue is full, or a send held
 *       for room waited too long): {@code rate_limited} with its message; nothing is logged, the
 *       writer logs its refusals as one aggregated WARN;</li>
 *   <li>any other {@link StoreUnavailableException}: {@link #UNAVAILABLE}, logged at debug only:
 *       the store logs the outage itself;</li>
 *   <li>anything else is a bug: {@link #INTERNAL} with a message that tells nothing, logged once
 *       as an error with its stack.</li>
 * </ul>
 */
public record ChatError(String code, String message, String field) {
    /** A malformed or missing field; Socket.IO names it {@code invalid_event}. */
    public static final String INVALID = ChatException.Code.INVALID_FIELD.wire();
    /** The store could not be reached; nothing was changed. */
    public static final String UNAVAILABLE = "unavailable";
    /** An unexpected failure (a bug). */
    public static final String INTERNAL = "internal_error";

    private static final Logger log = LoggerFactory.getLogger(ChatError.class);

    /** The answer to a failed request. Pure: logs nothing (see {@link #report}). */
    public static ChatError of(Throwable failure) {
        if (failure instanceof ChatException e) {
            return new ChatError(e.code().wire(), e.getMessage(), e.field());
        }
        if (failure instanceof IllegalArgumentException) {
            String message = String.valueOf(failure.getMessage());
            int colon = message.indexOf(':');
            return new ChatError(INVALID, message, colon > 0 ? message.substring(0, colon) : null);
        }
        if (failure instanceof ChatStoreBusyException) {
            return new ChatError(ChatException.Code.RATE_LIMITED.wire(), failure.getMessage(), null);
        }
        if (failure instanceof StoreUnavailableException) {
            return new ChatError(UNAVAILABLE, "the store is unavailable; nothing was changed, retry later", null);
        }
        return new ChatError(INTERNAL, "internal error", null);
    }

    /**
     * {@link #of} for a request of a client's connection, logged as its kind deserves.
     *
     * @param request what failed, for the log line, e.g. {@code "chat request"}
     */
    public static ChatError report(Throwable failure, String request, String sessionId, String userId) {
        ChatError error = of(failure);
        switch (error.code) {
            case UNAVAILABLE -> log.debug("{}: store unavailable session={} user={}: {}", request, sessionId, userId,
                    failure.getMessage());
            case INTERNAL -> log.error("{} failed session={} user={}", request, sessionId, userId, failure);
            default -> {
            }
        }
        return error;
    }

    /** A malformed request ({@link #INVALID}), which some transports name otherwise. */
    public boolean invalid() {
        return INVALID.equals(code);
    }
}
