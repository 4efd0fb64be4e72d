package dev.herald.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * A Herald client for one signed-in user: the notification socket ({@code /ws/notifications}),
 * the chat socket ({@code /ws/chat}, opened on first use), and the inbox and chat HTTP API.
 * Built by {@link #builder()}; see docs/client-java.md.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Each socket reconnects by itself with the configured {@link Backoff} (full jitter, 1 s to
 *       16 s by default), one attempt at a time, and resumes: notifications after the last
 *       {@code seq} delivered, each joined conversation after the last message seq seen. A
 *       notification is delivered to the listeners once, in seq order, also across reconnects.</li>
 *   <li>With a {@link TokenProvider}, a new token is sent over the open sockets
 *       {@code tokenRefreshMargin} before the current one expires, and fetched again after a
 *       4001 close or a 401.</li>
 *   <li>It stops reconnecting after a refusal retrying cannot fix: 400, 403 or close code 4003
 *       ({@link HeraldException.Kind#FORBIDDEN}), 4009 (disconnected by the app backend), and
 *       401 when the token is fixed; listeners get {@code onDisconnected} with
 *       {@code reconnecting() == false} and the typed error.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Every method is thread-safe and the socket methods return at once. Each client has two
 * daemon threads: {@code herald-client-N-loop} owns the sockets' state (OkHttp's reader
 * threads only hand frames to it), and {@code herald-client-N-events} calls every listener and
 * completes every future the client returns. So listeners are called one at a time, in the
 * order things happened, never concurrently and never on OkHttp's threads; a listener may call
 * the client (also {@link #close()}), but should not block for long, as it holds up the events
 * after it. A listener that throws is logged ({@code java.util.logging}, logger
 * {@code dev.herald.client}) and ignored. {@link Inbox} and the HTTP methods of {@link Chat}
 * block the calling thread. Tokens are never logged.
 */
public final class HeraldClient implements AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final ClientRuntime rt;
    private final boolean ownsHttp;
    private final InboxState inboxState;
    private final NotificationLink notifications;
    private final ChatLink chatLink;
    private final Inbox inbox;
    private final Chat chat;
    private ScheduledFuture<?> refreshTimer; // only on the loop
    private boolean closed; // only on the loop

    private HeraldClient(ClientConfig config, OkHttpClient shared) {
        OkHttpClient base = shared != null ? shared : new OkHttpClient();
        this.ownsHttp = shared == null;
        OkHttpClient http = base.newBuilder()
                .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .callTimeout(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .pingInterval(config.pingInterval().toMillis(), TimeUnit.MILLISECONDS)
                .build();
        this.rt = new ClientRuntime(config, http, "herald-client-" + IDS.incrementAndGet());
        this.inboxState = new InboxState(rt);
        this.notifications = new NotificationLink(rt, inboxState);
        this.chatLink = new ChatLink(rt);
        this.inbox = new Inbox(rt, inboxState);
        this.chat = new Chat(rt, chatLink);
        // Whenever a socket is (re)connected, plan the next token refresh from the token in use.
        rt.connectionListeners.add(new ConnectionListener() {
            @Override
            public void onConnected(Connected connected) {
                rt.onLoop(HeraldClient.this::scheduleRefresh);
            }
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens the notification socket (idempotent: never a second connection). The future
     * completes at Herald's {@code connected} frame, or fails with the {@link HeraldException}
     * that made the client stop (a 401 with a fixed token, a 403, {@link #close()}). It completes
     * on the event thread after the {@link ConnectionListener}s got {@code onConnected}.
     */
    public CompletableFuture<Connected> connect() {
        CompletableFuture<Connected> f = new CompletableFuture<>();
        notifications.start(f);
        return f;
    }

    /**
     * Reconnects at once the sockets that are waiting out a backoff delay (e.g. when Android
     * reports the network is back); resets the backoff. Does nothing to a live socket.
     */
    public void reconnectNow() {
        notifications.reconnectNow();
        chatLink.reconnectNow();
    }

    /** Closes both sockets and stops the client's threads; pending futures fail with {@code CLOSED}. Idempotent. */
    @Override
    public void close() {
        rt.onLoop(() -> {
            if (closed) {
                return;
            }
            closed = true;
            if (refreshTimer != null) {
                refreshTimer.cancel(false);
            }
            HeraldException why = HeraldException.of(HeraldException.Kind.CLOSED, "the client was closed");
            notifications.stop(why);
            chatLink.stop(why);
            rt.events.shutdown(); // after the events just posted
            rt.shutdownLoop();
            if (ownsHttp) {
                rt.http.dispatcher().executorService().shutdown();
                rt.http.connectionPool().evictAll();
            }
        });
    }

    /** The highest notification seq delivered (or the starting point from {@code connected}); -1 before any. */
    public long lastSeq() {
        return notifications.lastSeq();
    }

    /** The user's last known counts, or null before the first {@code connected} or inbox call. */
    public InboxCounts counts() {
        return inboxState.counts();
    }

    public Inbox inbox() {
        return inbox;
    }

    public Chat chat() {
        return chat;
    }

    public Registration addConnectionListener(ConnectionListener listener) {
        return rt.connectionListeners.add(listener);
    }

    /** Every notification the socket delivers. */
    public Registration addNotificationListener(NotificationListener listener) {
        return notifications.listeners.add(new NotificationLink.TypedListener(null, listener));
    }

    /**
     * Only notifications whose type matches {@code typePattern}: a type ({@code order_created})
     * or a prefix ending in {@code *} ({@code order_*}). Filtered on the client; to have Herald
     * send only some types, use {@link Builder#types}.
     */
    public Registration addNotificationListener(String typePattern, NotificationListener listener) {
        TypePatterns.validate("typePattern", typePattern);
        if (listener == null) {
            throw new IllegalArgumentException("listener: required");
        }
        return notifications.listeners.add(new NotificationLink.TypedListener(typePattern, listener));
    }

    public Registration addInboxListener(InboxListener listener) {
        return inboxState.listeners.add(listener);
    }

    public Registration addChatListener(ChatListener listener) {
        return chatLink.listeners.add(listener);
    }

    // On the loop: refresh the token tokenRefreshMargin before it expires, over every live socket.
    private void scheduleRefresh() {
        if (closed || !rt.tokens.refreshable()) {
            return;
        }
        Instant exp = rt.tokens.expiry();
        if (exp == null) {
            return;
        }
        if (refreshTimer != null) {
            refreshTimer.cancel(false);
        }
        long delay = Duration.between(rt.config.clock().instant(), exp.minus(rt.tokens.margin())).toMillis();
        refreshTimer = rt.schedule(this::refreshNow, Math.max(delay, 1000)); // at least 1 s: never a busy loop
    }

    private void refreshNow() {
        refreshTimer = null;
        if (closed) {
            return;
        }
        try {
            String token = rt.tokens.fresh();
            notifications.sendRefresh(token);
            chatLink.sendRefresh(token);
        } catch (HeraldException e) {
            rt.connectionEvent(l -> l.onError(Endpoint.NOTIFICATIONS, e));
        }
        scheduleRefresh();
    }

    /**
     * Configuration of a {@link HeraldClient}. Setters check their argument at once
     * ({@link IllegalArgumentException} naming it); {@link #build()} checks the whole. Not
     * thread-safe; the built client is immutable in its configuration.
     */
    public static final class Builder {
        private HttpUrl baseUrl;
        private String token;
        private TokenProvider tokenProvider;
        private String streamType;
        private String streamId;
        private List<String> types = Collections.emptyList();
        private long since = -1;
        private Backoff backoff = new FullJitterBackoff();
        private int reconnectAttempts = Integer.MAX_VALUE;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration callTimeout = Duration.ofSeconds(30);
        private Duration pingInterval = Duration.ofSeconds(20);
        private Duration ackTimeout = Duration.ofSeconds(15);
        private Duration typingIdle = Duration.ofSeconds(3);
        private Duration tokenRefreshMargin = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private OkHttpClient okHttpClient;

        private Builder() {
        }

        /** Herald's base URL: {@code https://herald.example.com} (or {@code http}, {@code ws}, {@code wss}); required. */
        public Builder url(String url) {
            this.baseUrl = Urls.base("url", url);
            return this;
        }

        /** A fixed JWT (for a short-lived client). Give this or {@link #tokenProvider}, not both. */
        public Builder token(String token) {
            this.token = Args.notBlank("token", token).trim();
            return this;
        }

        /** Where fresh tokens come from; the client refreshes before expiry. Give this or {@link #token}, not both. */
        public Builder tokenProvider(TokenProvider provider) {
            if (provider == null) {
                throw new IllegalArgumentException("tokenProvider: required");
            }
            this.tokenProvider = provider;
            return this;
        }

        /** Follow a topic stream the token grants ({@code stream("branch", "7")}) instead of the user's own. */
        public Builder stream(String type, String id) {
            if (type == null || !type.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("type: 1-64 letters, digits, _ . -; was " + type);
            }
            if (id == null || id.isEmpty()) {
                throw new IllegalArgumentException("id: required");
            }
            this.streamType = type;
            this.streamId = id;
            return this;
        }

        /** Herald sends only notifications of these types: exact types or prefixes ending in {@code *}. */
        public Builder types(String... patterns) {
            if (patterns == null) {
                throw new IllegalArgumentException("types: required");
            }
            List<String> list = Arrays.asList(patterns.clone());
            TypePatterns.validate("types", list);
            this.types = Collections.unmodifiableList(new ArrayList<>(list));
            return this;
        }

        /** Resume after this seq on the first connect (e.g. saved from an earlier run); default: live only. */
        public Builder since(long seq) {
            if (seq < 0) {
                throw new IllegalArgumentException("since: must be >= 0, was " + seq);
            }
            this.since = seq;
            return this;
        }

        /** The reconnect delays; default {@link FullJitterBackoff} (1 s base, 16 s cap). */
        public Builder backoff(Backoff backoff) {
            if (backoff == null) {
                throw new IllegalArgumentException("backoff: required");
            }
            this.backoff = backoff;
            return this;
        }

        /** Failed attempts in a row before the client gives up; default unlimited. */
        public Builder reconnectAttempts(int attempts) {
            if (attempts < 0) {
                throw new IllegalArgumentException("reconnectAttempts: must be >= 0, was " + attempts);
            }
            this.reconnectAttempts = attempts;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Args.positive("connectTimeout", timeout);
            return this;
        }

        /** The bound of one HTTP call (inbox, chat history). */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = Args.positive("callTimeout", timeout);
            return this;
        }

        /** WebSocket pings to notice a dead connection; {@link Duration#ZERO} turns them off. */
        public Builder pingInterval(Duration interval) {
            if (interval == null || interval.isNegative()) {
                throw new IllegalArgumentException("pingInterval: must be >= 0, was " + interval);
            }
            this.pingInterval = interval;
            return this;
        }

        /** How long a chat send waits for Herald's ack. */
        public Builder ackTimeout(Duration timeout) {
            this.ackTimeout = Args.positive("ackTimeout", timeout);
            return this;
        }

        /** After how long without a {@link Chat#typing} call the client sends {@code stop_typing} (3 s, as herald.js). */
        public Builder typingIdle(Duration idle) {
            this.typingIdle = Args.positive("typingIdle", idle);
            return this;
        }

        /** How long before the token's {@code exp} a new one is fetched and sent. */
        public Builder tokenRefreshMargin(Duration margin) {
            this.tokenRefreshMargin = Args.positive("tokenRefreshMargin", margin);
            return this;
        }

        /** The clock tokens' expiry is read against (tests). */
        public Builder clock(Clock clock) {
            if (clock == null) {
                throw new IllegalArgumentException("clock: required");
            }
            this.clock = clock;
            return this;
        }

        /** Share an OkHttpClient (its connection pool and threads) with the app; the client derives its own settings from it. */
        public Builder okHttpClient(OkHttpClient client) {
            if (client == null) {
                throw new IllegalArgumentException("okHttpClient: required");
            }
            this.okHttpClient = client;
            return this;
        }

        /** @throws IllegalArgumentException naming what is missing or conflicting */
        public HeraldClient build() {
            if (baseUrl == null) {
                throw new IllegalArgumentException("url: required");
            }
            if ((token == null) == (tokenProvider == null)) {
                throw new IllegalArgumentException("token: give exactly one of token and tokenProvider");
            }
            return new HeraldClient(new ClientConfig(baseUrl, token, tokenProvider, streamType, streamId, types, since, backoff,
                    reconnectAttempts, connectTimeout, callTimeout, pingInterval, ackTimeout, typingIdle, tokenRefreshMargin, clock), okHttpClient);
        }
    }
}
