package dev.herald.server.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An app-defined Socket.IO client event that Herald relays to the sockets allowed to see a topic
 * (option {@code --socketio-relay}): the client emits {@code clientEvent {<idField>: X, ...}};
 * when the sender's token grants topic {@code <topicType>:X}, every other socket whose token
 * grants it receives {@code serverEvent} with the same payload. Written
 * {@code clientEvent:topicType:idField:serverEvent}, e.g.
 * {@code bookingUpdate:booking:bookingId:bookingUpdated}; several rules are separated by commas.
 * A configuration value like the rest of {@link HeraldConfig}, so it lives here; the Socket.IO
 * transport applies it. Immutable.
 */
public record RelayRule(String clientEvent, String topicType, String idField, String serverEvent) {
    /** What each of the four parts may be: short, and free of the separators {@code :} and {@code ,}. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final String FORM = "clientEvent:topicType:idField:serverEvent, e.g. bookingUpdate:booking:bookingId:bookingUpdated";

    public RelayRule {
        Objects.requireNonNull(clientEvent, "clientEvent");
        Objects.requireNonNull(topicType, "topicType");
        Objects.requireNonNull(idField, "idField");
        Objects.requireNonNull(serverEvent, "serverEvent");
        for (String part : List.of(clientEvent, topicType, idField, serverEvent)) {
            if (!NAME.matcher(part).matches()) {
                throw new IllegalArgumentException("relay rule part '" + part + "': 1 to 64 letters, digits, _ . - only");
            }
        }
    }

    /**
     * The Socket.IO room of a topic: each socket joins the rooms of the topics its token grants,
     * and a relayed event goes to the room of its topic.
     */
    public static String room(String topic) {
        return "topic:" + topic;
    }

    /**
     * Parses {@code a:b:c:d[,a:b:c:d...]}; null or blank gives no rules, empty entries are skipped.
     * Each client event may have one rule.
     *
     * @throws IllegalArgumentException saying which rule is wrong and how, e.g.
     *         {@code rule 'a:b' must be clientEvent:topicType:idField:serverEvent, e.g. ...}
     */
    public static List<RelayRule> parseAll(String spec) {
        List<RelayRule> rules = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return rules;
        }
        Set<String> clientEvents = new HashSet<>();
        for (String entry : spec.split(",")) {
            String one = entry.strip();
            if (one.isEmpty()) {
                continue;
            }
            String[] parts = one.split(":", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException("rule '" + one + "' must be " + FORM);
            }
            for (String part : parts) {
                if (!NAME.matcher(part).matches()) {
                    throw new IllegalArgumentException("rule '" + one + "' has part '" + part
                            + "'; each part is 1 to 64 letters, digits, _ . -");
                }
            }
            if (!clientEvents.add(parts[0])) {
                throw new IllegalArgumentException("rule '" + one + "' relays client event '" + parts[0]
                        + "' again; each client event may have one rule");
            }
            rules.add(new RelayRule(parts[0], parts[1], parts[2], parts[3]));
        }
        return rules;
    }
}
