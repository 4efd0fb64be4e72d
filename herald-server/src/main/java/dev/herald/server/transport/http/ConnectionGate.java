package dev.herald.server.transport.http;

import dev.herald.server.auth.AuthException;
import dev.herald.server.auth.Principal;
import dev.herald.server.transport.TransportContext;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * The way in for every long-lived client connection (plain WebSocket, SSE): verifies the
 * token and lets the endpoint authorize the request on a virtual thread (JWKS fetches and store
 * reads may block), then either opens the connection on the channel's loop or refuses it as
 * HTTP: 401 for a missing, invalid or expired token, the endpoint's status for its own refusals
 * (400, 403), 503 when the store cannot answer; each with {@code {"error": "..."}} and the
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
     * @param token  the client's token, or null when it sent none
     * @param what   what is being opened, for logs ("websocket /ws/chat", "sse")
     * @param open   runs on the channel's loop with what the authorizer returned; it owns the request
     */
    public static <T> void admit(TransportContext context, ChannelHandlerContext ctx, FullHttpRequest request,
                                 String token, String what, Authorizer<T> authorizer, Consumer<T> open) {
        ctx.channel().config().setAutoRead(false);
        context.blocking().execute(() -> {
            T admitted;
            try {
                if (token == null) {
                    throw new AuthException(AuthException.Reason.MISSING,
                            "token required: access_token query parameter, Authorization: Bearer, or the "
                                    + context.config().jwtCookie() + " cookie");
                }
                admitted = authorizer.authorize(context.tokens().verify(token));
            } catch (AuthException e) {
                ctx.executor().execute(() -> refuse(context, ctx, request, HttpResponseStatus.UNAUTHORIZED, e.getMessage()));
                return;
            } catch (ApiException e) {
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
