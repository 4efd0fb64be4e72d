/**
 * Presence, as part of chat: online, offline, last seen and status of users, as their
 * conversation partners see it ({@link PresenceTracker}), and its store's interface.
 *
 * <p>Presence lives under chat rather than in a package of its own because it is a chat
 * feature through and through: the users who see a user's presence are their conversation
 * partners, it is announced as chat frames ({@code presence}, {@code status_updated}) on the
 * chat sockets' {@code chatuser:} streams, and it is stored in the chat schema's
 * {@code presence} table, which the chat migration creates. A package of its own would have
 * needed copies of chat's frames and of chat's JDBC transaction helper to break the same cycle.
 *
 * <p>May depend on {@code chat}, {@code delivery} (the session registry), {@code broker},
 * {@code cluster} and {@code stream}; {@code chat} does not depend on it.
 */
package dev.herald.server.chat.presence;
