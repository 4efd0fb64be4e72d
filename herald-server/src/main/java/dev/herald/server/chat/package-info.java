/**
 * Chat: conversations, messages, typing, read receipts, reactions, their frames and streams,
 * the chat store's interface and the service over it.
 *
 * <p>May depend on {@code store}, {@code delivery}, {@code broker}, {@code cluster} and
 * {@code stream}; not on its subpackages {@code chat.presence} and {@code chat.jdbc}, which
 * depend on it.
 */
package dev.herald.server.chat;
