package dev.herald.server.chat;

import dev.herald.server.store.StoreUnavailableException;

/**
 * The node's chat write queue is full: the database does not keep up with the sends. Nothing was
 * stored; the send may be retried later (with the same client id). Thrown at once, without
 * waiting for the database.
 */
public final class ChatStoreBusyException extends StoreUnavailableException {
    public ChatStoreBusyException(String message) {
        super(message);
    }
}
