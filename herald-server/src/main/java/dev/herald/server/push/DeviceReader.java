package dev.herald.server.push;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * Reads one platform's device registration from a request body, e.g.
 * {@code {"platform": "apns", "token": "...", "topic": "com.example.app"}}.
 */
@FunctionalInterface
public interface DeviceReader {
    /**
     * @throws dev.herald.server.notify.ValidationException naming the bad field
     */
    PushDevice read(JsonNode body, String userStream, Instant now);
}
