package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Herald's {@code connected} frame, the first on every (re)connection.
 *
 * @param endpoint     which socket
 * @param connectionId the connection's id (also in Herald's logs)
 * @param userId       the token's {@code sub}
 * @param stream       the followed stream ({@code user:42}, {@code branch:7}); null on the chat socket
 * @param seq          the stream's last seq when the subscription started (notifications only, else 0)
 * @param frame        the whole frame as received
 */
public record Connected(Endpoint endpoint, String connectionId, String userId, String stream, long seq, JsonNode frame) {
}
