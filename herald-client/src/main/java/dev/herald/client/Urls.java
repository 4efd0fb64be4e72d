package dev.herald.client;

import okhttp3.HttpUrl;

/** Reads a base URL argument: http(s) or ws(s), no query or fragment. */
final class Urls {
    private Urls() {
    }

    static HttpUrl base(String argument, String url) {
        if (url == null || url.trim().isEmpty()) {
            throw new IllegalArgumentException(argument + ": required");
        }
        String u = url.trim();
        String lower = u.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("ws://")) {
            u = "http://" + u.substring(5);
        } else if (lower.startsWith("wss://")) {
            u = "https://" + u.substring(6);
        }
        HttpUrl parsed = HttpUrl.parse(u);
        if (parsed == null) {
            throw new IllegalArgumentException(argument + ": not an http, https, ws or wss URL: " + url);
        }
        if (parsed.query() != null || parsed.fragment() != null) {
            throw new IllegalArgumentException(argument + ": no query or fragment, was " + url);
        }
        // A base path (Herald behind a proxy at /herald) keeps its segments; the API paths follow it.
        String path = parsed.encodedPath();
        if (!path.endsWith("/")) {
            parsed = parsed.newBuilder().addPathSegment("").build();
        }
        return parsed;
    }
}
