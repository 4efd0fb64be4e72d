package dev.herald.server.transport.http;

import dev.herald.server.transport.OriginPolicy;
import dev.herald.server.transport.ApiException;
import dev.herald.server.auth.AuthException;
import dev.herald.server.auth.Principal;
import dev.herald.server.transport.TransportContext;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * The way in for every long-lived client connection (plain WebSocket, SSE): verifies the
 * token and lets the endpoint authorize the request on a virtual thread (JWKS fetches and store
 * reads may block), then either opens the connection on the channel's loop or refuses it as
 * HTTP: 401 for a missing, invalid or expired token, the endpoint's status for its own refusals
 * (400, 403), 429 over the per-user cap, 503 when the store cannot answer; each with {@code {"error": "..."}} and the
 * connection closed. Reading from the channel pauses meanwhile.
 */
public final class ConnectionGate {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);

    /** Authorizes a verified user for the endpoint; runs on a virtual thread and may block. */
    @FunctionalInterface
    public interface Authorizer<T> {
        /** @throws ApiException to refuse with its status and reason */
        T authorize(Principal principal);
    }

    private ConnectionGate() {
    }

    /**
     * <p>Besides the token, a connection is refused when it came with the session cookie from an
     * origin that may not use it (403, see {@link OriginPolicy}) and when its user already holds
     * {@code --max-connections-per-user} sockets on this node (429).
     *
     * @param token  the client's token, or null when it sent none
     * @param what   what is being opened, for logs ("websocket /ws/chat", "sse")
     * @param open   runs on the channel's loop with what the authorizer returned; it owns the request
     */
    public static <T> void admit(TransportContext context, ChannelHandlerContext ctx, FullHttpRequest request,
                                 Credentials.UserToken token, String what, Authorizer<T> authorizer, Consumer<T> open) {
        ctx.channel().config().setAutoRead(false);
        if (token != null && token.fromCookie()) {
            OriginPolicy.Trust trust = context.origins().judge(request.headers());
            if (!trust.mayUseCookie()) {
                refuse(context, ctx, request, HttpResponseStatus.FORBIDDEN, "the session cookie is not accepted from origin "
                        + request.headers().get(HttpHeaderNames.ORIGIN) + "; send the token as access_token instead");
                return;
            }
        }
        context.blocking().execute(() -> {
            T admitted;
            try {
                if (token == null) {
                    throw new AuthException(AuthException.Reason.MISSING,
                            "token required: access_token query parameter, Authorization: Bearer, or the "
                                    + context.config().jwtCookie() + " cookie");
                }
                Principal principal = context.tokens().verify(token.token());
                int cap = context.config().maxConnectionsPerUser();
                if (cap > 0 && context.sessions().countOfUser(principal.userId()) >= cap) {
                    throw new ApiException(HttpResponseStatus.TOO_MANY_REQUESTS, "user " + principal.userId()
                            + " already has " + cap + " open connections on this node (the most allowed); close one first");
                }
                admitted = authorizer.authorize(principal);
            } catch (AuthException e) {
                ctx.executor().execute(() -> refuse(context, ctx, request, HttpResponseStatus.UNAUTHORIZED, e.getMessage()));
                return;
            } catch (ApiException e) {
                log.debug("refused {}: {} {}", what, e.status().code(), e.getMessage());
                ctx.executor().execute(() -> refuse(context, ctx, request, e.status(), e.getMessage()));
                return;
            } catch (RuntimeException e) {
                log.warn("cannot open {}: {}", what, e.toString());
                ctx.executor().execute(() -> refuse(context, ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "cannot open the connection now; retry later"));
                return;
            }
            ctx.executor().execute(() -> open.accept(admitted));
        });
    }

    /** Answers with {@code {"error": reason}}, releases the request and closes the connection. */
    public static void refuse(TransportContext context, ChannelHandlerContext ctx, FullHttpRequest request,
                              HttpResponseStatus status, String reason) {
        request.release();
        HttpResponses.write(ctx, HttpResponses.error(context.json(), status, reason), false);
    }
}
