package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * What the parts of one {@link HeraldClient} share: the loop thread that owns every socket's
 * state, the event thread that calls listeners, the token, OkHttp and the base URL.
 *
 * <p>The loop is one thread: OkHttp's callbacks and the public methods hand their work to it, so
 * the sockets' state (current socket, attempt, cursors, pending sends) needs no lock and at most
 * one connection or reconnect per socket is ever in progress.
 */
final class ClientRuntime {
    final ClientConfig config;
    final TokenSource tokens;
    final OkHttpClient http;
    final HttpTransport transport;
    final EventDispatcher events;
    final Listeners<ConnectionListener> connectionListeners = new Listeners<>();
    final FrameBudget frameBudget = new FrameBudget(FrameBudget.DEFAULT_CAP_CHARS);
    private final ScheduledThreadPoolExecutor loop;

    ClientRuntime(ClientConfig config, OkHttpClient http, String name) {
        this.config = config;
        this.tokens = new TokenSource(config.token(), config.tokenProvider(), config.tokenRefreshMargin(), config.clock());
        this.http = http;
        this.transport = new HttpTransport(http);
        this.events = new EventDispatcher(name + "-events");
        this.loop = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name + "-loop");
            t.setDaemon(true);
            return t;
        });
        this.loop.setRemoveOnCancelPolicy(true);
        // Once closed, timers (reconnect, ack timeouts, token refresh) must not keep the thread alive.
        this.loop.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Runs {@code task} on the loop thread; false (and dropped) once the client is closed. */
    boolean onLoop(Runnable task) {
        try {
            loop.execute(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    EventDispatcher.LOG.log(java.util.logging.Level.SEVERE, "Herald client loop task failed", t);
                }
            });
            return true;
        } catch (RejectedExecutionException closed) {
            return false;
        }
    }

    ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        try {
            return loop.schedule(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    EventDispatcher.LOG.log(java.util.logging.Level.SEVERE, "Herald client loop task failed", t);
                }
            }, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            return null;
        }
    }

    /** Calls every connection listener with {@code call}, on the event thread. */
    void connectionEvent(Consumer<ConnectionListener> call) {
        events.post(() -> connectionListeners.each(call));
    }

    void shutdownLoop() {
        frameBudget.close();
        loop.shutdown();
    }

    HttpUrl.Builder url(String path) {
        return config.baseUrl().newBuilder().addPathSegments(path);
    }

    /**
     * A user-authenticated API call on the caller's thread: with a token provider, a 401 asks it
     * for a fresh token and tries once more (as herald.js does).
     */
    JsonNode userCall(String method, HttpUrl url, Object body) {
        RequestBody requestBody = body == null ? (method.equals("GET") || method.equals("DELETE") ? null : HttpTransport.body(new byte[0]))
                : HttpTransport.body(Json.bytes(body));
        boolean retried = false;
        while (true) {
            String token = retried ? tokens.fresh() : tokens.current();
            Request request = new Request.Builder().url(url).header("Authorization", "Bearer " + token).method(method, requestBody).build();
            try {
                return transport.execute(request);
            } catch (HeraldException e) {
                if (e.kind() == HeraldException.Kind.UNAUTHORIZED && !retried && tokens.refreshable()) {
                    retried = true;
                    continue;
                }
                throw e;
            }
        }
    }
}
