package dev.herald.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.store.PushPolicy;
import dev.herald.server.store.PushRequest;

import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A publish's {@code push} field: {@code true} (push at once), {@code false} (no push, whatever
 * the category's default), or an object:
 *
 * <pre>
 * {"policy": "if_unseen_after", "delay": 30, "title": "Order ready", "body": "Table 4",
 *  "icon": "https://app.example/icon.png", "url": "/orders/17", "ttl": 3600,
 *  "urgency": "high", "collapse_key": "order-17"}
 * </pre>
 *
 * Every field is optional ({@code policy} defaults to {@code always}); absent texts come from the
 * notification's own {@code title}, {@code body}, {@code icon} and {@code url} when sent.
 */
public final class PushFields {
    /** The longest wait {@code if_unseen_after} takes: a day. */
    public static final Duration MAX_DELAY = Duration.ofDays(1);
    /** The longest a provider may hold a push: 28 days (FCM's and Web Push services' usual bound). */
    public static final Duration MAX_TTL = Duration.ofDays(28);
    public static final int MAX_TITLE = 200;
    public static final int MAX_BODY = 1000;
    public static final int MAX_URL = 1000;
    /** A collapse key: 1-64 letters, digits, {@code _ . : @ -}. */
    public static final Pattern COLLAPSE_KEY = Pattern.compile("[A-Za-z0-9_.:@-]{1," + PushRequest.MAX_COLLAPSE_KEY + "}");
    private static final Set<String> FIELDS = Set.of("policy", "delay", "title", "body", "icon", "url", "ttl", "urgency",
            "collapse_key");
    private static final Set<String> URGENCIES = Set.of("very-low", "low", "normal", "high");

    private PushFields() {
    }

    /**
     * The push choice of a publish; null when the field is absent (the category decides).
     *
     * @throws ValidationException naming the bad field, e.g. {@code push.ttl}
     */
    public static PushRequest parse(JsonNode push, ObjectMapper mapper) {
        if (push == null || push.isNull()) {
            return null;
        }
        if (push.isBoolean()) {
            return push.asBoolean() ? new PushRequest(PushPolicy.ALWAYS, Duration.ZERO, null, null) : PushRequest.NONE;
        }
        if (!push.isObject()) {
            throw new ValidationException("push", "true, false or an object: policy, delay, title, body, icon, url, ttl, urgency, collapse_key");
        }
        for (Iterator<String> it = push.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw new ValidationException("push." + name, "unknown field (policy, delay, title, body, icon, url, ttl, urgency, collapse_key)");
            }
        }
        PushPolicy policy = policy(push.get("policy"), "push.policy");
        Duration delay = delay(policy, push.get("delay"), "push.delay");
        String collapseKey = null;
        JsonNode key = push.get("collapse_key");
        if (key != null && !key.isNull()) {
            if (!key.isTextual() || !COLLAPSE_KEY.matcher(key.asText()).matches()) {
                throw new ValidationException("push.collapse_key", "1-64 characters of letters, digits and _ . : @ -");
            }
            collapseKey = key.asText();
        }
        ObjectNode options = mapper.createObjectNode();
        text(push, "title", MAX_TITLE, options);
        text(push, "body", MAX_BODY, options);
        link(push, "icon", true, options);
        link(push, "url", false, options);
        JsonNode ttl = push.get("ttl");
        if (ttl != null && !ttl.isNull()) {
            if (!ttl.canConvertToLong() || !ttl.isIntegralNumber() || ttl.asLong() < 0 || ttl.asLong() > MAX_TTL.toSeconds()) {
                throw new ValidationException("push.ttl", "whole seconds, 0 to " + MAX_TTL.toSeconds() + " (0: deliver now or drop)");
            }
            options.put("ttl", ttl.asLong());
        }
        JsonNode urgency = push.get("urgency");
        if (urgency != null && !urgency.isNull()) {
            if (!urgency.isTextual() || !URGENCIES.contains(urgency.asText())) {
                throw new ValidationException("push.urgency", "one of very-low, low, normal, high");
            }
            options.put("urgency", urgency.asText());
        }
        return new PushRequest(policy, delay, collapseKey, options.isEmpty() ? null : options.toString());
    }

    /** A policy name; absent means {@code always}. */
    public static PushPolicy policy(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return PushPolicy.ALWAYS;
        }
        if (!node.isTextual() || PushPolicy.of(node.asText()).isEmpty()) {
            throw new ValidationException(field, "one of always, when_offline, if_unseen_after, none");
        }
        return PushPolicy.of(node.asText()).get();
    }

    /** {@code if_unseen_after}'s wait in whole seconds (default 30); refused with any other policy. */
    public static Duration delay(PushPolicy policy, JsonNode node, String field) {
        boolean given = node != null && !node.isNull();
        if (policy != PushPolicy.IF_UNSEEN_AFTER) {
            if (given) {
                throw new ValidationException(field, "only with the policy if_unseen_after");
            }
            return Duration.ZERO;
        }
        if (!given) {
            return Duration.ofSeconds(30);
        }
        if (!node.isIntegralNumber() || node.asLong() < 1 || node.asLong() > MAX_DELAY.toSeconds()) {
            throw new ValidationException(field, "whole seconds, 1 to " + MAX_DELAY.toSeconds());
        }
        return Duration.ofSeconds(node.asLong());
    }

    private static void text(JsonNode push, String name, int max, ObjectNode into) {
        JsonNode v = push.get(name);
        if (v == null || v.isNull()) {
            return;
        }
        if (!v.isTextual() || v.asText().length() > max) {
            throw new ValidationException("push." + name, "a string of at most " + max + " characters");
        }
        into.put(name, v.asText());
    }

    /** An https URL (an icon), or an http(s) URL or a path starting with / (a click's target). */
    private static void link(JsonNode push, String name, boolean httpsOnly, ObjectNode into) {
        JsonNode v = push.get(name);
        if (v == null || v.isNull()) {
            return;
        }
        String rule = httpsOnly ? "an https URL" : "an http(s) URL or a path starting with /";
        if (!v.isTextual() || v.asText().length() > MAX_URL || !PushRequest.isLink(v.asText(), httpsOnly)) {
            throw new ValidationException("push." + name, rule + " of at most " + MAX_URL + " characters");
        }
        into.put(name, v.asText());
    }
}
