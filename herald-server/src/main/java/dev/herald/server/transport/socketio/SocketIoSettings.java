package dev.herald.server.transport.socketio;

import java.util.List;
import java.util.Objects;

/**
 * How Herald's Socket.IO namespace names its events, and which client events it relays. Not yet
 * part of {@code HeraldConfig}: read from system properties or environment variables by
 * {@link #fromEnvironment()} (the property wins):
 * <ul>
 *   <li>{@code herald.socketio.relay} / {@code HERALD_SOCKETIO_RELAY}: relay rules
 *       ({@link RelayRule#parseAll}); none by default;</li>
 *   <li>{@code herald.socketio.notificationEvents} / {@code HERALD_SOCKETIO_NOTIFICATION_EVENTS}:
 *       the event names a notification is emitted under, comma-separated; default
 *       {@code notification,newNotification}.</li>
 * </ul>
 * Immutable.
 */
public record SocketIoSettings(List<String> notificationEvents, List<RelayRule> relayRules) {
    public static final List<String> DEFAULT_NOTIFICATION_EVENTS = List.of("notification", "newNotification");

    public SocketIoSettings {
        notificationEvents = List.copyOf(Objects.requireNonNull(notificationEvents, "notificationEvents"));
        relayRules = List.copyOf(Objects.requireNonNull(relayRules, "relayRules"));
        for (String e : notificationEvents) {
            if (!e.matches("[A-Za-z0-9_.:-]{1,64}")) {
                throw new IllegalArgumentException("notification event name '" + e + "': letters, digits, _ . : - only");
            }
        }
    }

    public static SocketIoSettings defaults() {
        return new SocketIoSettings(DEFAULT_NOTIFICATION_EVENTS, List.of());
    }

    public SocketIoSettings withRelayRules(List<RelayRule> rules) {
        return new SocketIoSettings(notificationEvents, rules);
    }

    public SocketIoSettings withNotificationEvents(List<String> names) {
        return new SocketIoSettings(names, relayRules);
    }

    /**
     * The settings from system properties or the environment (see the type's documentation).
     *
     * @throws IllegalArgumentException for a malformed value, naming it
     */
    public static SocketIoSettings fromEnvironment() {
        String relay = read("herald.socketio.relay", "HERALD_SOCKETIO_RELAY");
        String names = read("herald.socketio.notificationEvents", "HERALD_SOCKETIO_NOTIFICATION_EVENTS");
        List<String> events = names == null || names.isBlank() ? DEFAULT_NOTIFICATION_EVENTS
                : List.of(names.strip().split("\\s*,\\s*"));
        return new SocketIoSettings(events, RelayRule.parseAll(relay));
    }

    private static String read(String property, String env) {
        String v = System.getProperty(property);
        return v != null ? v : System.getenv(env);
    }
}
