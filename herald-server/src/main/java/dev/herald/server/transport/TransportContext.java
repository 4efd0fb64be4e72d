package dev.herald.server.transport;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.auth.ApiKeyAuthenticator;
import dev.herald.server.auth.TokenVerifier;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.delivery.DeliveryHub;
import dev.herald.server.delivery.SessionRegistry;
import dev.herald.server.metrics.HeraldMetrics;
import dev.herald.server.notify.NotificationService;

import java.util.concurrent.ExecutorService;

/**
 * What the transports need from the node, assembled once by {@code HeraldServer}.
 *
 * @param blocking executor for blocking work (store, JWKS): virtual threads, never an event loop
 * @param origins  the origin policy every entry point applies
 */
public record TransportContext(
        HeraldConfig config,
        ObjectMapper json,
        TokenVerifier tokens,
        ApiKeyAuthenticator apiKeys,
        NotificationService notifications,
        DeliveryHub hub,
        SessionRegistry sessions,
        HeraldMetrics metrics,
        ExecutorService blocking,
        OriginPolicy origins) {
}
