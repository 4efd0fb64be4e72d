package dev.herald.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.notify.ValidationException;

import java.util.Iterator;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the pushes of one notification type read when the publish does not say: each text may hold
 * {@code {{field}}} placeholders (a dotted path, {@code {{sender.name}}}), filled from the
 * notification's own fields when sent; a field that is absent, or not a string, number or boolean,
 * fills in as nothing.
 *
 * <pre>
 * PUT /api/v1/push/templates/order_ready
 * {"title": "Order {{order_id}} is ready", "body": "Pick it up at {{counter}}", "url": "/orders/{{order_id}}"}
 * </pre>
 *
 * @param type  the notification type it applies to
 * @param title the title, or null (then the notification's own, else the type in words)
 * @param body  the body, or null
 * @param icon  an https URL, or null
 * @param url   what a tap opens, or null
 */
public record PushTemplate(String type, String title, String body, String icon, String url) {
    public static final int MAX_TITLE = 200;
    public static final int MAX_BODY = 1000;
    public static final int MAX_URL = 1000;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Za-z0-9_]{1,64}(?:\\.[A-Za-z0-9_]{1,64}){0,4})}}");
    private static final Pattern TYPE = Pattern.compile("[^\\p{Cntrl}]{1,128}");
    private static final Set<String> FIELDS = Set.of("title", "body", "icon", "url");

    /**
     * Parses and validates {@code PUT /api/v1/push/templates/{type}}'s body.
     *
     * @throws ValidationException naming the bad field
     */
    public static PushTemplate parse(String type, JsonNode body) {
        checkType(type);
        if (body == null || !body.isObject()) {
            throw new ValidationException("body", "must be a JSON object: title, body, icon, url");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw new ValidationException(name, "unknown field (title, body, icon, url)");
            }
        }
        PushTemplate t = new PushTemplate(type, text(body, "title", MAX_TITLE), text(body, "body", MAX_BODY),
                text(body, "icon", MAX_URL), text(body, "url", MAX_URL));
        if (t.title == null && t.body == null && t.icon == null && t.url == null) {
            throw new ValidationException("body", "give at least one of title, body, icon, url");
        }
        // A link must be one once filled in: its fixed part must already say which kind.
        if (t.icon != null && !t.icon.startsWith("https://")) {
            throw new ValidationException("icon", "an https URL (placeholders only after https://host/)");
        }
        if (t.url != null && !(t.url.startsWith("/") && !t.url.startsWith("//") || t.url.startsWith("https://")
                || t.url.startsWith("http://"))) {
            throw new ValidationException("url", "an http(s) URL or a path starting with /");
        }
        return t;
    }

    /** @throws ValidationException unless {@code type} is a notification type: 1-128 characters, no control characters */
    public static String checkType(String type) {
        if (type == null || !TYPE.matcher(type).matches()) {
            throw new ValidationException("type", "1-128 characters, no control characters");
        }
        return type;
    }

    private static String text(JsonNode body, String field, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isEmpty() || v.asText().length() > max) {
            throw new ValidationException(field, "a string of 1 to " + max + " characters");
        }
        String braces = PLACEHOLDER.matcher(v.asText()).replaceAll("");
        if (braces.contains("{{") || braces.contains("}}")) {
            throw new ValidationException(field, "a placeholder is {{field}} or {{a.b}}: letters, digits and _");
        }
        return v.asText();
    }

    /** {@code text} with each placeholder replaced by the notification's field; null stays null. */
    public static String render(String text, JsonNode notification) {
        if (text == null) {
            return null;
        }
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            JsonNode v = notification;
            for (String part : m.group(1).split("\\.")) {
                v = v == null ? null : v.get(part);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v != null && v.isValueNode() && !v.isNull() ? v.asText() : ""));
        }
        m.appendTail(out);
        return out.toString();
    }
}
