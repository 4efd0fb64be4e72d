package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.logging.Level;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * One Herald socket with its reconnect loop: at most one connection open or being opened,
 * full-jitter backoff between failed attempts (the configured {@link Backoff}), a fresh token
 * after 4001 or a 401, and a stop after a refusal that retrying cannot fix (400, 403, 4003,
 * 4009, or 401 with a fixed token). Subclasses read the frames and say what to resume from.
 *
 * <p>Every field is touched only on the client's loop thread; OkHttp's callbacks are handed
 * there, and a callback of a socket that is no longer {@code current} is ignored.
 */
abstract class SocketLink {
    final ClientRuntime rt;
    final Endpoint endpoint;

    // Only on the loop thread:
    private boolean running;
    private int attempt;
    private WebSocket current;
    private boolean live; // current has received `connected`
    private ScheduledFuture<?> timer;
    private Connected lastConnected;
    private final List<CompletableFuture<Connected>> waiters = new ArrayList<>();

    SocketLink(ClientRuntime rt, Endpoint endpoint) {
        this.rt = rt;
        this.endpoint = endpoint;
    }

    /** The URL of the next attempt (with its resume point); called on the loop just before it. */
    abstract HttpUrl url();

    /** A frame of the live socket, {@code connected} included; on the loop. */
    abstract void onFrame(String type, JsonNode frame);

    /** The link stopped for good (closed or refused): fail what waits for the socket; on the loop. */
    void onStopped(HeraldException why) {
    }

    /** Starts the link when it is not running; {@code waiter}, when given, completes at the next {@code connected}. */
    final void start(CompletableFuture<Connected> waiter) {
        boolean accepted = rt.onLoop(() -> {
            if (waiter != null) {
                if (live) {
                    Connected c = lastConnected;
                    rt.events.post(() -> waiter.complete(c));
                } else {
                    waiters.add(waiter);
                }
            }
            if (running) {
                return;
            }
            running = true;
            attempt = 0;
            rt.connectionEvent(l -> l.onConnecting(endpoint));
            open();
        });
        if (!accepted && waiter != null) {
            waiter.completeExceptionally(HeraldException.of(HeraldException.Kind.CLOSED, "the client was closed"));
        }
    }

    /** Closes the socket and stops reconnecting; on the loop. */
    final void stop(HeraldException why) {
        boolean wasLive = live;
        running = false;
        cancelTimer();
        if (current != null) {
            current.close(1000, "client closed");
            current = null;
        }
        live = false;
        if (wasLive) {
            rt.connectionEvent(l -> l.onDisconnected(endpoint, new DisconnectReason(1000, "closed by the client", null, false)));
        }
        failWaiters(why);
        onStopped(why);
    }

    /** Skips the backoff wait: reconnects now when the link is waiting to (e.g. the network is back). */
    final void reconnectNow() {
        rt.onLoop(() -> {
            if (running && current == null) {
                cancelTimer();
                attempt = 0;
                open();
            }
        });
    }

    /** Sends a frame when the socket is live; false when it is not (the frame is dropped). Only on the loop. */
    final boolean send(ObjectNode frame) {
        return live && current != null && current.send(Json.text(frame));
    }

    /** Sends a new token over the live socket ({@code refresh}); on the loop. */
    final void sendRefresh(String token) {
        if (live) {
            send(Json.frame("refresh").put("token", token));
        }
    }

    /** The socket's {@code connected} arrived: reset the backoff, tell the listeners; on the loop. */
    final void established(Connected connected, Long resumedFrom) {
        attempt = 0;
        lastConnected = connected;
        rt.connectionEvent(l -> l.onConnected(connected));
        if (resumedFrom != null) {
            long since = resumedFrom;
            rt.connectionEvent(l -> l.onResumed(endpoint, since));
        }
        // After the listeners: whoever waits on connect() finds them told.
        for (CompletableFuture<Connected> w : waiters) {
            rt.events.post(() -> w.complete(connected));
        }
        waiters.clear();
    }

    private void open() {
        timer = null;
        if (!running || current != null) {
            return;
        }
        String token;
        try {
            token = rt.tokens.current();
        } catch (HeraldException e) {
            dropped(false, -1, e.getMessage(), e, false, false);
            return;
        }
        // The token goes in a header, not the URL, so it stays out of proxies' access logs.
        Request request = new Request.Builder().url(url()).header("Authorization", "Bearer " + token).build();
        current = rt.http.newWebSocket(request, new Events());
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void failWaiters(HeraldException why) {
        for (CompletableFuture<Connected> w : waiters) {
            rt.events.post(() -> w.completeExceptionally(why));
        }
        waiters.clear();
    }

    private void closed(WebSocket ws, int code, String reason) {
        if (ws != current) {
            return;
        }
        boolean wasLive = live;
        current = null;
        live = false;
        switch (code) {
            case 4001 -> { // token expired: a fresh token, then at once
                rt.tokens.invalidate();
                dropped(wasLive, code, reason, null, false, true);
            }
            case 4003 -> dropped(wasLive, code, reason,
                    new HeraldException(HeraldException.Kind.FORBIDDEN, 0, "4003", null, null, "the token no longer grants this stream (4003)", null), true, false);
            case 4009 -> dropped(wasLive, code, reason,
                    new HeraldException(HeraldException.Kind.DISCONNECTED, 0, "4009", null, null, "disconnected by the app backend (4009)", null), true, false);
            default -> dropped(wasLive, code, reason, null, false, false);
        }
    }

    private void failed(WebSocket ws, int status, String body, String retryAfter, Throwable t) {
        if (ws != current) {
            return;
        }
        boolean wasLive = live;
        current = null;
        live = false;
        if (status < 0) {
            dropped(wasLive, -1, String.valueOf(t), HeraldException.transport("connection to " + endpoint.path() + " failed: " + t, t), false, false);
            return;
        }
        HeraldException refusal = HttpTransport.refusal(status, body, retryAfter);
        if (status == 401 && rt.tokens.refreshable()) {
            rt.tokens.invalidate();
            dropped(wasLive, -1, refusal.getMessage(), refusal, false, attempt == 0);
        } else if (status == 400 || status == 401 || status == 403) {
            dropped(wasLive, -1, refusal.getMessage(), refusal, true, false);
        } else {
            dropped(wasLive, -1, refusal.getMessage(), refusal, false, false);
        }
    }

    private void dropped(boolean wasLive, int code, String reason, HeraldException error, boolean last, boolean immediate) {
        if (!running) {
            return;
        }
        int max = rt.config.reconnectAttempts();
        if (last || attempt >= max) {
            running = false;
            HeraldException why = last ? error : new HeraldException(HeraldException.Kind.TRANSPORT, 0, null, null, null,
                    "gave up after " + max + " reconnect attempts" + (error == null ? "" : ": " + error.getMessage()), error);
            rt.connectionEvent(l -> l.onDisconnected(endpoint, new DisconnectReason(code, reason, why, false)));
            failWaiters(why);
            onStopped(why);
            return;
        }
        if (wasLive) {
            rt.connectionEvent(l -> l.onDisconnected(endpoint, new DisconnectReason(code, reason, error, true)));
        }
        Duration delay = immediate ? Duration.ZERO : rt.config.backoff().delay(attempt);
        attempt++;
        int n = attempt;
        rt.connectionEvent(l -> l.onReconnecting(endpoint, n, delay, error));
        timer = rt.schedule(this::open, delay.toMillis());
    }

    private void frame(WebSocket ws, String text) {
        if (ws != current) {
            return;
        }
        JsonNode frame;
        try {
            frame = Json.parse(text);
        } catch (IOException e) {
            EventDispatcher.LOG.log(Level.WARNING, "Herald sent a frame that is not JSON on " + endpoint.path() + "; ignored");
            return;
        }
        String type = frame.path("type").asText("");
        if (type.equals("connected")) {
            live = true;
        } else if (type.equals("token_refreshed")) {
            JsonNode exp = frame.path("expires_at");
            Instant at = exp.isTextual() ? Instant.parse(exp.asText()) : null;
            rt.connectionEvent(l -> l.onTokenRefreshed(endpoint, at));
            return;
        }
        onFrame(type, frame);
    }

    /** OkHttp's callbacks for one socket, handed to the loop. */
    private final class Events extends WebSocketListener {
        @Override
        public void onMessage(WebSocket ws, String text) {
            // Blocks OkHttp's reader while listeners are behind by more than the cap: TCP then
            // holds Herald back, which closes a socket that stays full with 4008 ("reconnect and
            // resume"), and the client resumes from the last seq it delivered. Nothing is lost.
            int permits = rt.frameBudget.take(text.length());
            if (permits < 0) {
                return; // the client was closed while waiting
            }
            rt.onLoop(() -> {
                frame(ws, text);
                rt.events.post(() -> rt.frameBudget.give(permits)); // after the listeners of this frame
            });
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            ws.close(1000, null); // answer Herald's close frame
            rt.onLoop(() -> closed(ws, code, reason));
        }

        @Override
        public void onClosed(WebSocket ws, int code, String reason) {
            rt.onLoop(() -> closed(ws, code, reason));
        }

        @Override
        public void onFailure(WebSocket ws, Throwable t, Response response) {
            int status = response == null ? -1 : response.code();
            String body = null;
            String retryAfter = null;
            if (response != null) {
                retryAfter = response.header("Retry-After");
                try {
                    body = response.peekBody(8192).string();
                } catch (IOException | IllegalStateException unreadable) {
                    body = null;
                }
            }
            String refusalBody = body;
            String retry = retryAfter;
            rt.onLoop(() -> failed(ws, status, refusalBody, retry, t));
        }
    }
}
