package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * Herald's backend API for app backends, with the API key (api.md): publish to a user, users, a
 * topic or everyone, batches, conversations, presence, disconnecting a user, users' preferences.
 *
 * <p><b>Retries only where safe.</b> A publish always carries an {@code Idempotency-Key}: the
 * caller's, or a random one made up per call (a batch: per item without one), and every
 * attempt sends the same body bytes, so Herald stores it once however often it is retried.
 * Publishes and GETs (presence, preferences) and the whole-document preferences PUT are tried up
 * to {@code maxAttempts} times when there was no answer (a network failure or timeout) or a 503,
 * waiting the 503's {@code Retry-After} or a full-jitter backoff. Creating a conversation and
 * disconnecting a user are tried once. Every other refusal is thrown at once as a typed
 * {@link HeraldException} ({@code VALIDATION} with {@code field()}, {@code UNAUTHORIZED} for a bad
 * key, {@code CONFLICT} for a key reused with another body, ...).
 *
 * <p>Thread-safe; every call blocks the calling thread. The API key is never logged.
 */
public final class HeraldAdmin implements AutoCloseable {
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(30);

    private final HttpUrl base;
    private final String apiKey;
    private final int maxAttempts;
    private final Backoff backoff;
    private final OkHttpClient http;
    private final HttpTransport transport;
    private final boolean ownsHttp;

    private HeraldAdmin(Builder b) {
        this.base = b.baseUrl;
        this.apiKey = b.apiKey;
        this.maxAttempts = b.maxAttempts;
        this.backoff = b.backoff;
        this.ownsHttp = b.okHttpClient == null;
        OkHttpClient from = b.okHttpClient != null ? b.okHttpClient : new OkHttpClient();
        this.http = from.newBuilder()
                .connectTimeout(b.connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(b.callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .callTimeout(b.callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .retryOnConnectionFailure(false) // the retries are ours, and only where safe
                .build();
        this.transport = new HttpTransport(http);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Publishes one notification (to a user, users, a topic or everyone); answers after Herald committed it. */
    public PublishResult publish(Publish publish) {
        if (publish == null) {
            throw new IllegalArgumentException("publish: required");
        }
        String key = publish.idempotencyKey() != null ? publish.idempotencyKey() : "hc-" + UUID.randomUUID();
        Request request = request("POST", url("api/v1/notifications").build(), Json.bytes(publish.bodyNode()))
                .header("Idempotency-Key", key).build();
        return PublishResult.of(call(request, true), key);
    }

    /**
     * Up to 1000 publishes in one transaction, all or nothing; the results in the same order.
     * Items without a key get one, so retrying the batch never stores an item twice.
     */
    public List<PublishResult> publishBatch(List<Publish> publishes) {
        if (publishes == null || publishes.isEmpty() || publishes.size() > 1000) {
            throw new IllegalArgumentException("publishes: 1-1000 items");
        }
        ObjectNode body = Json.object();
        ArrayNode items = body.putArray("publishes");
        List<String> keys = new ArrayList<>();
        for (Publish p : publishes) {
            String key = p.idempotencyKey() != null ? p.idempotencyKey() : "hc-" + UUID.randomUUID();
            keys.add(key);
            items.add(p.bodyNode().deepCopy().put("idempotency_key", key));
        }
        JsonNode answer = call(request("POST", url("api/v1/notifications/batch").build(), Json.bytes(body)).build(), true);
        List<PublishResult> results = new ArrayList<>();
        int i = 0;
        for (JsonNode r : answer.path("results")) {
            results.add(PublishResult.of(r, keys.get(i++)));
        }
        return Collections.unmodifiableList(results);
    }

    /**
     * Creates a conversation between users: {@code direct} (exactly two) or {@code group}. A direct
     * conversation that exists is returned as it is. Not retried.
     */
    public Conversation createConversation(String kind, Collection<String> members, String title) {
        if (!"direct".equals(kind) && !"group".equals(kind)) {
            throw new IllegalArgumentException("kind: direct or group, was " + kind);
        }
        if (members == null || members.isEmpty()) {
            throw new IllegalArgumentException("members: at least one");
        }
        ObjectNode body = Json.object().put("kind", kind);
        ArrayNode m = body.putArray("members");
        members.forEach(m::add);
        if (title != null) {
            body.put("title", title);
        }
        JsonNode answer = call(request("POST", url("api/v1/backend/conversations").build(), Json.bytes(body)).build(), false);
        return Conversation.of(answer.path("conversation"));
    }

    /** Online state, status and last seen of 1-200 users. */
    public List<Presence> presence(Collection<String> userIds) {
        if (userIds == null || userIds.isEmpty() || userIds.size() > 200) {
            throw new IllegalArgumentException("userIds: 1-200 user ids");
        }
        HttpUrl u = url("api/v1/presence").addQueryParameter("users", String.join(",", userIds)).build();
        List<Presence> out = new ArrayList<>();
        for (JsonNode p : call(request("GET", u, null).build(), true).path("users")) {
            out.add(new Presence(p.path("user_id").asText(), p.path("online").asBoolean(), p.path("status").asText(null),
                    p.path("last_seen").asText(null)));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Closes every connection of the user on the node that answers (close code 4009: clients do
     * not reconnect by themselves); answers how many. Not retried.
     */
    public int disconnectUser(String userId) {
        HttpUrl u = url("api/v1/users").addPathSegment(requireText("userId", userId)).addPathSegment("disconnect").build();
        return call(request("POST", u, new byte[0]).build(), false).path("connections_closed").asInt();
    }

    /** A user's preferences document and the app's categories. */
    public JsonNode userPreferences(String userId) {
        return call(request("GET", preferencesUrl(userId), null).build(), true);
    }

    /** Replaces a user's whole preferences document (idempotent, so retried). */
    public JsonNode setUserPreferences(String userId, Object document) {
        if (document == null) {
            throw new IllegalArgumentException("document: required");
        }
        return call(request("PUT", preferencesUrl(userId), Json.bytes(Json.tree(document))).build(), true);
    }

    /** Releases the connection pool and threads this object made (none of a shared OkHttpClient's). */
    @Override
    public void close() {
        if (ownsHttp) {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }

    private HttpUrl preferencesUrl(String userId) {
        return url("api/v1/users").addPathSegment(requireText("userId", userId)).addPathSegment("preferences").build();
    }

    private HttpUrl.Builder url(String path) {
        return base.newBuilder().addPathSegments(path);
    }

    private Request.Builder request(String method, HttpUrl url, byte[] body) {
        RequestBody requestBody = body == null ? null : HttpTransport.body(body);
        return new Request.Builder().url(url).header("Authorization", "Bearer " + apiKey).method(method, requestBody);
    }

    private JsonNode call(Request request, boolean safeToRepeat) {
        for (int attempt = 1; ; attempt++) {
            try {
                return transport.execute(request);
            } catch (HeraldException e) {
                boolean transientFailure = e.kind() == HeraldException.Kind.UNAVAILABLE || e.kind() == HeraldException.Kind.TRANSPORT;
                if (!safeToRepeat || !transientFailure || attempt >= maxAttempts) {
                    throw e;
                }
                Duration wait = e.retryAfter() != null ? min(e.retryAfter(), MAX_RETRY_AFTER) : backoff.delay(attempt - 1);
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw HeraldException.transport("interrupted while waiting to retry " + request.method() + " "
                            + request.url().encodedPath(), interrupted);
                }
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String requireText(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + ": required");
        }
        return value;
    }

    /**
     * Configuration of a {@link HeraldAdmin}; setters check their argument at once
     * ({@link IllegalArgumentException} naming it). Not thread-safe.
     */
    public static final class Builder {
        private HttpUrl baseUrl;
        private String apiKey;
        private int maxAttempts = 3;
        private Backoff backoff = new FullJitterBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), new java.util.Random());
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration callTimeout = Duration.ofSeconds(30);
        private OkHttpClient okHttpClient;

        private Builder() {
        }

        /** Herald's base URL, e.g. {@code http://127.0.0.1:8080}; required. */
        public Builder url(String url) {
            this.baseUrl = Urls.base("url", url);
            return this;
        }

        /** The API key ({@code --api-key}); required. */
        public Builder apiKey(String apiKey) {
            this.apiKey = Args.notBlank("apiKey", apiKey).trim();
            return this;
        }

        /** Attempts of a call that is safe to repeat (1: no retry); default 3. */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1 || attempts > 20) {
                throw new IllegalArgumentException("maxAttempts: 1-20, was " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** The wait between attempts when Herald gave no Retry-After; default full jitter, 200 ms base, 5 s cap. */
        public Builder backoff(Backoff backoff) {
            if (backoff == null) {
                throw new IllegalArgumentException("backoff: required");
            }
            this.backoff = backoff;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Args.positive("connectTimeout", timeout);
            return this;
        }

        /** The bound of one attempt; a publish that took longer may still have been stored (the key makes the retry safe). */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = Args.positive("callTimeout", timeout);
            return this;
        }

        public Builder okHttpClient(OkHttpClient client) {
            if (client == null) {
                throw new IllegalArgumentException("okHttpClient: required");
            }
            this.okHttpClient = client;
            return this;
        }

        public HeraldAdmin build() {
            if (baseUrl == null) {
                throw new IllegalArgumentException("url: required");
            }
            if (apiKey == null) {
                throw new IllegalArgumentException("apiKey: required");
            }
            return new HeraldAdmin(this);
        }
    }
}
