package dev.herald.client;

/**
 * Supplies the user's JWT, typically from the app's own backend. Herald's client calls it when
 * it has no token yet, before the current one expires (then sends the new one over the open
 * sockets), after Herald closed a socket with 4001 (token expired) and after an HTTP 401.
 *
 * <p>Called on the client's loop thread or on the thread of an inbox call, never twice at once;
 * it may block (a network call), but while it runs the client handles no frame. A provider that
 * throws is reported as {@link HeraldException.Kind#TOKEN_PROVIDER} and asked again at the next
 * attempt. Tokens are never logged.
 */
@FunctionalInterface
public interface TokenProvider {
    String token() throws Exception;
}
