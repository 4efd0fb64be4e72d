package dev.herald.client;

/**
 * Receives notifications, each once, in seq order, across reconnects. Called on the client's
 * event thread (see {@link HeraldClient}); a listener that throws is logged and ignored.
 */
@FunctionalInterface
public interface NotificationListener {
    void onNotification(Notification notification);
}
