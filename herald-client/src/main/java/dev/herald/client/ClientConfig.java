package dev.herald.client;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import okhttp3.HttpUrl;

/** A {@link HeraldClient}'s validated configuration (built by {@link HeraldClient.Builder}). */
record ClientConfig(HttpUrl baseUrl, String token, TokenProvider tokenProvider, String streamType, String streamId,
                    List<String> types, long since, Backoff backoff, int reconnectAttempts, Duration connectTimeout,
                    Duration callTimeout, Duration pingInterval, Duration ackTimeout, Duration typingIdle, Duration tokenRefreshMargin, Clock clock) {
}
