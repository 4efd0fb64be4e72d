package dev.herald.server.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.herald.server.store.PushRequest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Builds the {@link PushMessage} of a job for one device. Each text comes from the publish's
 * {@code push} fields when given, else from the type's {@link PushTemplate} filled from the
 * notification, else from the notification's own fields ({@code title},
 * {@code body}/{@code message}/{@code text}, {@code icon}, {@code url}/{@code link}), else the
 * title is the type in words; the badge is the user's unseen count. Texts are cut so the payload
 * fits the smallest provider limit ({@link #MAX_PAYLOAD_BYTES}). Thread-safe.
 */
public final class PushMessages {
    /**
     * The most the JSON of a message may take: Web Push carries at most 3,993 bytes of plaintext
     * in one record (RFC 8291), APNs and FCM 4,096 bytes with their own framing around it.
     */
    public static final int MAX_PAYLOAD_BYTES = 3_000;
    /** How long a provider keeps a push for an unreachable device when the publish gives no ttl. */
    public static final Duration DEFAULT_TTL = Duration.ofDays(1);

    private final ObjectMapper json;
    private final PushReceipts receipts;
    private final java.util.function.Function<String, java.util.Optional<PushTemplate>> templates;

    /** @param templates the template of a notification type, if the app set one */
    public PushMessages(ObjectMapper json, PushReceipts receipts,
                        java.util.function.Function<String, java.util.Optional<PushTemplate>> templates) {
        this.json = json;
        this.receipts = receipts;
        this.templates = templates;
    }

    /** The message for {@code device}; {@code expiresAt} (the notification's, or null) bounds its ttl. */
    public PushMessage build(PushJob job, PushedNotification notification, PushDevice device, Instant now) {
        JsonNode body = parse(notification.json());
        JsonNode options = parse(job.options());
        String type = text(body, "type");
        PushTemplate template = type == null ? null : templates.apply(type).orElse(null);
        String title = first(text(options, "title"), filled(template == null ? null : template.title(), body),
                text(body, "title"), text(body, "subject"), words(type));
        String text = first(text(options, "body"), filled(template == null ? null : template.body(), body),
                text(body, "body"), text(body, "message"), text(body, "text"), "");
        String icon = first(text(options, "icon"), httpsOrNull(filled(template == null ? null : template.icon(), body)),
                httpsOrNull(text(body, "icon")));
        String url = first(text(options, "url"), linkOrNull(filled(template == null ? null : template.url(), body)),
                linkOrNull(text(body, "url")), linkOrNull(text(body, "link")));
        Duration ttl = options.has("ttl") ? Duration.ofSeconds(options.get("ttl").asLong()) : DEFAULT_TTL;
        Instant expiresAt = instantOrNull(text(body, "expires_at"));
        if (expiresAt != null) {
            Duration left = Duration.between(now, expiresAt);
            ttl = left.isNegative() ? Duration.ZERO : left.compareTo(ttl) < 0 ? left : ttl;
        }
        PushUrgency urgency = PushUrgency.of(first(text(options, "urgency"), "normal")).orElse(PushUrgency.NORMAL);
        String receipt = receipts.issue(job.userStream(), job.notificationId(), device.id(), now);
        return fit(new PushMessage(job.notificationId(), type == null ? "notification" : type, cut(title, 200), cut(text, 1000),
                icon, url, notification.unseenCount(), ttl, urgency, job.collapseKey(), receipt));
    }

    /** Shortens the body, then the title, until the JSON fits {@link #MAX_PAYLOAD_BYTES}. */
    static PushMessage fit(PushMessage m) {
        PushMessage out = m;
        for (int i = 0; i < 40 && size(out) > MAX_PAYLOAD_BYTES; i++) {
            boolean body = !out.body().isEmpty();
            String shorter = shorten(body ? out.body() : out.title());
            out = new PushMessage(out.notificationId(), out.type(), body ? out.title() : shorter, body ? shorter : out.body(),
                    out.icon(), out.url(), out.badge(), out.ttl(), out.urgency(), out.collapseKey(), out.receipt());
        }
        return out;
    }

    private static int size(PushMessage m) {
        return m.toJson().toString().getBytes(StandardCharsets.UTF_8).length;
    }

    /** Three quarters of the text and an ellipsis, never splitting a surrogate pair; at least one character goes. */
    private static String shorten(String s) {
        int end = Math.max(0, Math.min(s.length() - 2, s.length() * 3 / 4));
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return end == 0 ? "…" : s.substring(0, end) + "…";
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, Character.isHighSurrogate(s.charAt(max - 2)) ? max - 2 : max - 1) + "…";
    }

    private JsonNode parse(String text) {
        if (text == null) {
            return NullNode.instance;
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            return NullNode.instance; // stored by Herald as valid JSON; never expected
        }
    }

    /** A template's text filled from the notification; null when there is none or it fills to nothing. */
    private static String filled(String template, JsonNode notification) {
        String out = PushTemplate.render(template, notification);
        return out == null || out.isBlank() ? null : out;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** {@code order_ready} reads "Order ready". */
    static String words(String type) {
        if (type == null || type.isBlank()) {
            return "New notification";
        }
        String spaced = type.replace('_', ' ').replace('-', ' ').replace('.', ' ').trim();
        return spaced.isEmpty() ? "New notification" : spaced.substring(0, 1).toUpperCase(Locale.ROOT) + spaced.substring(1);
    }

    private static String httpsOrNull(String s) {
        return s != null && s.length() <= 1000 && PushRequest.isLink(s, true) ? s : null;
    }

    private static String linkOrNull(String s) {
        return s != null && s.length() <= 1000 && PushRequest.isLink(s, false) ? s : null;
    }

    private static Instant instantOrNull(String s) {
        try {
            return s == null ? null : Instant.parse(s);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}
