package dev.herald.server.transport.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.auth.AuthException;
import dev.herald.server.auth.Principal;
import dev.herald.server.auth.TokenVerifier;
import dev.herald.server.transport.http.Credentials;
import dev.herald.server.transport.OriginPolicy;
import dev.herald.socketio.ConnectMiddleware;
import dev.herald.socketio.ConnectRefusedException;
import dev.herald.socketio.SocketIoSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * The namespace's auth middleware: the JWT comes from {@code auth.token}, else an
 * {@code Authorization: Bearer} header, else the {@code access_token} query parameter, else the
 * JWT cookie. It is verified on the blocking executor (a JWKS fetch may block), never on the
 * loop. A refusal is a CONNECT_ERROR whose message says why ({@code token required},
 * {@code token expired at ...}, {@code invalid token: ...}) with {@code data.code}
 * ({@code token_required}, {@code token_expired}, {@code invalid_token}).
 *
 * <p>On a recovered socket the token must belong to the user the kept state belongs to: a
 * private session id ({@code pid}) is not a credential.
 *
 * <p>The JWT cookie counts only from an origin the {@link OriginPolicy} lets use it
 * ({@code cookie_not_allowed} otherwise), and a user holding {@code --max-connections-per-user}
 * sockets on this node is refused with {@code too_many_connections}.
 */
final class SocketAuth implements ConnectMiddleware {
    static final String PRINCIPAL = "herald.principal";
    static final String USER = "herald.user";

    private final TokenVerifier tokens;
    private final Executor blocking;
    private final String cookieName;
    private final Consumer<Principal> admitted;
    private final OriginPolicy origins;
    private final ToIntFunction<String> openSocketsOfUser;
    private final int maxPerUser;

    /**
     * @param admitted          told (on the blocking executor) of each accepted user, e.g. to record them for broadcasts
     * @param openSocketsOfUser how many sockets a user has open on this node now
     * @param maxPerUser        refuse a user holding this many; 0: no limit
     */
    SocketAuth(TokenVerifier tokens, Executor blocking, String cookieName, Consumer<Principal> admitted,
               OriginPolicy origins, ToIntFunction<String> openSocketsOfUser, int maxPerUser) {
        this.tokens = tokens;
        this.blocking = blocking;
        this.cookieName = cookieName;
        this.admitted = admitted;
        this.origins = origins;
        this.openSocketsOfUser = openSocketsOfUser;
        this.maxPerUser = maxPerUser;
    }

    @Override
    public CompletionStage<Void> check(SocketIoSocket socket) {
        String token = tokenOf(socket);
        if (token == null) {
            String cookie = Credentials.cookie(socket.handshake().headers(), cookieName);
            if (cookie == null) {
                return CompletableFuture.failedFuture(refused("token required", "token_required"));
            }
            OriginPolicy.Trust trust = origins.judge(socket.handshake().headers());
            if (!trust.mayUseCookie()) {
                return CompletableFuture.failedFuture(refused("the session cookie is not accepted from origin "
                        + socket.handshake().headers().get("origin") + "; send auth.token", "cookie_not_allowed"));
            }
            token = cookie;
        }
        String chosen = token;
        return CompletableFuture.runAsync(() -> {
            Principal p;
            try {
                p = tokens.verify(chosen);
            } catch (AuthException e) {
                throw switch (e.reason()) {
                    case MISSING -> refused("token required", "token_required");
                    case EXPIRED -> refused(e.getMessage(), "token_expired");
                    case INVALID -> refused(e.getMessage().startsWith("invalid token")
                            ? e.getMessage() : "invalid token: " + e.getMessage(), "invalid_token");
                };
            }
            Object keptUser = socket.data().get(USER);
            if (socket.recovered() && keptUser != null && !keptUser.equals(p.userId())) {
                throw refused("invalid token: the recovered session belongs to another user", "invalid_token");
            }
            if (maxPerUser > 0 && openSocketsOfUser.applyAsInt(p.userId()) >= maxPerUser) {
                throw refused("user " + p.userId() + " already has " + maxPerUser
                        + " open connections on this node (the most allowed)", "too_many_connections");
            }
            admitted.accept(p);
            socket.data().put(PRINCIPAL, p);
            socket.data().put(USER, p.userId());
        }, blocking);
    }

    private String tokenOf(SocketIoSocket socket) {
        JsonNode fromAuth = socket.handshake().auth().get("token");
        if (fromAuth != null && fromAuth.isTextual() && !fromAuth.asText().isBlank()) {
            String t = fromAuth.asText().strip();
            return t.regionMatches(true, 0, "Bearer ", 0, 7) ? t.substring(7).strip() : t;
        }
        // Header or query only: the cookie is an ambient credential, judged by the caller.
        Credentials.UserToken found = Credentials.userCredential(socket.handshake().headers(),
                socket.handshake().query(), cookieName);
        return found == null || found.fromCookie() ? null : found.token();
    }

    private static ConnectRefusedException refused(String message, String code) {
        return new ConnectRefusedException(message, Map.of("code", code));
    }
}
