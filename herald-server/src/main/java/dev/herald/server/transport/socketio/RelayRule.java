package dev.herald.server.transport.socketio;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An app-defined client event that Herald relays to the sockets allowed to see a topic: the client
 * emits {@code clientEvent {<idField>: X, ...}}; when the sender's token grants topic
 * {@code <topicType>:X}, every other socket whose token grants it receives
 * {@code serverEvent} with the same payload. Written {@code clientEvent:topicType:idField:serverEvent},
 * e.g. {@code bookingUpdate:booking:bookingId:bookingUpdated}; several rules are separated by
 * commas. Immutable.
 */
public record RelayRule(String clientEvent, String topicType, String idField, String serverEvent) {
    private static final String NAME = "[A-Za-z0-9_.-]{1,64}";

    public RelayRule {
        Objects.requireNonNull(clientEvent, "clientEvent");
        Objects.requireNonNull(topicType, "topicType");
        Objects.requireNonNull(idField, "idField");
        Objects.requireNonNull(serverEvent, "serverEvent");
        for (String part : List.of(clientEvent, topicType, idField, serverEvent)) {
            if (!part.matches(NAME)) {
                throw new IllegalArgumentException("relay rule part '" + part + "': letters, digits, _ . - only");
            }
        }
    }

    /** The room of a topic; each socket joins the rooms of the topics its token grants. */
    public static String room(String topic) {
        return "topic:" + topic;
    }

    /**
     * Parses {@code a:b:c:d[,a:b:c:d...]}; null or blank gives no rules.
     *
     * @throws IllegalArgumentException naming the bad rule
     */
    public static List<RelayRule> parseAll(String spec) {
        List<RelayRule> rules = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return rules;
        }
        for (String one : spec.split(",")) {
            String[] parts = one.strip().split(":");
            if (parts.length != 4) {
                throw new IllegalArgumentException("relay rule '" + one.strip()
                        + "' must be clientEvent:topicType:idField:serverEvent, e.g. bookingUpdate:booking:bookingId:bookingUpdated");
            }
            rules.add(new RelayRule(parts[0], parts[1], parts[2], parts[3]));
        }
        return rules;
    }
}
