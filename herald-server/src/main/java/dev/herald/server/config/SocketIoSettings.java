package dev.herald.server.config;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How Herald's Socket.IO namespace names its events, and which client events it relays: the part
 * of {@link HeraldConfig} set by two options of {@code herald start}, resolved like every other
 * option by {@link ConfigResolver}:
 * <ul>
 *   <li>{@code --socketio-notification-events} ({@code HERALD_SOCKETIO_NOTIFICATION_EVENTS}):
 *       the event names a notification is emitted under, comma-separated; default
 *       {@code notification,newNotification};</li>
 *   <li>{@code --socketio-relay} ({@code HERALD_SOCKETIO_RELAY}): relay rules
 *       ({@link RelayRule#parseAll}); none by default.</li>
 * </ul>
 * Immutable.
 */
public record SocketIoSettings(List<String> notificationEvents, List<RelayRule> relayRules) {
    /** Both names the Socket.IO apps Herald replaces listen for. */
    public static final List<String> DEFAULT_NOTIFICATION_EVENTS = List.of("notification", "newNotification");

    /** A notification event name: short, and free of the list separator {@code ,}. */
    private static final Pattern EVENT_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    public SocketIoSettings {
        notificationEvents = List.copyOf(Objects.requireNonNull(notificationEvents, "notificationEvents"));
        relayRules = List.copyOf(Objects.requireNonNull(relayRules, "relayRules"));
        for (String e : notificationEvents) {
            if (!isEventName(e)) {
                throw new IllegalArgumentException("notification event name '" + e + "': letters, digits, _ . : - only");
            }
        }
    }

    /** Whether {@code name} may be a notification event name: 1 to 64 letters, digits, {@code _ . : -}. */
    public static boolean isEventName(String name) {
        return EVENT_NAME.matcher(name).matches();
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
}
