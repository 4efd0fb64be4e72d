package dev.herald.client;

/**
 * Why a socket ended or why an attempt failed.
 *
 * @param closeCode   the WebSocket close code (1001 shutting down, 4001 token expired, 4009 disconnected
 *                    by the backend, ... see protocol.md), or -1 when there was no close frame (a network
 *                    failure or an HTTP refusal of the upgrade)
 * @param reason      the close reason or a description of the failure
 * @param error       the typed failure (an HTTP refusal, a final close code, a network error), or null
 *                    for an ordinary close
 * @param reconnecting whether the client will reconnect by itself
 */
public record DisconnectReason(int closeCode, String reason, HeraldException error, boolean reconnecting) {
}
