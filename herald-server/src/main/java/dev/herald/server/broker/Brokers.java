package dev.herald.server.broker;

import io.lettuce.core.RedisURI;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Chooses the broker for a node from its configured URL: none for a single node, Redis for a
 * cluster. Anything else is refused, naming the URL (with any password masked).
 */
public final class Brokers {
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    static final String DEFAULT_PREFIX = "default";

    private Brokers() {
    }

    /**
     * @param url    null for the in-process broker; {@code redis://[user:password@]host[:port][/db]}
     *               or {@code rediss://...} for Redis, optionally with {@code ?prefix=name} to give
     *               this Herald cluster its own channels on a shared Redis (default {@value #DEFAULT_PREFIX})
     * @param nodeId this node's id, for logs
     * @return a broker that is not started yet
     * @throws IllegalArgumentException for any other URL
     */
    public static Broker create(String url, String nodeId) {
        if (url == null) {
            return new InProcessBroker();
        }
        RedisTarget target = redisTarget(url);
        return new RedisBroker(target.uri(), target.prefix(), nodeId == null ? "node" : nodeId, FullJitterBackoff.standard());
    }

    /** A Redis server and the key prefix of this Herald cluster on it. */
    public record RedisTarget(RedisURI uri, String prefix) {
    }

    /**
     * Parses {@code redis://[user:password@]host[:port][/db][?prefix=name]} (or {@code rediss://}).
     *
     * @throws IllegalArgumentException naming the (masked) URL when it is not one
     */
    public static RedisTarget redisTarget(String url) {
        if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
            throw new IllegalArgumentException("broker URL: unsupported " + masked(url)
                    + " (expected redis://host:port or rediss://host:port)");
        }
        String prefix = DEFAULT_PREFIX;
        String redisUrl = url;
        int query = url.indexOf('?');
        if (query >= 0) {
            List<String> kept = new ArrayList<>();
            for (String param : url.substring(query + 1).split("&")) {
                if (param.startsWith("prefix=")) {
                    prefix = param.substring("prefix=".length());
                } else if (!param.isEmpty()) {
                    kept.add(param);
                }
            }
            redisUrl = url.substring(0, query) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        }
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("broker URL " + masked(url)
                    + ": prefix must be 1-64 of A-Z a-z 0-9 _ . -, was '" + prefix + "'");
        }
        try {
            return new RedisTarget(RedisURI.create(redisUrl), prefix);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("broker URL " + masked(url) + ": " + e.getMessage(), e);
        }
    }

    /** The URL with the password of its user info replaced by {@code ***}. */
    static String masked(String url) {
        int scheme = url.indexOf("://");
        int at = url.indexOf('@');
        if (scheme < 0 || at < scheme) {
            return url;
        }
        int colon = url.indexOf(':', scheme + 3);
        int passwordStart = colon >= 0 && colon < at ? colon + 1 : scheme + 3;
        return url.substring(0, passwordStart) + "***" + url.substring(at);
    }
}
