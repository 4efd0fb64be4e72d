/**
 * Herald's Java client for JVM services and Android apps: {@link dev.herald.client.HeraldClient}
 * for a signed-in user (notification and chat sockets with reconnect and resume, the inbox) and
 * {@link dev.herald.client.HeraldAdmin} for app backends (publishing with idempotency keys,
 * conversations, presence). It speaks Herald's documented wire protocol (docs/protocol.md,
 * docs/chat-protocol.md, docs/api.md) over OkHttp, with Jackson for JSON; it does not depend on
 * the server's code. Everything not public here is internal. See docs/client-java.md.
 */
package dev.herald.client;
