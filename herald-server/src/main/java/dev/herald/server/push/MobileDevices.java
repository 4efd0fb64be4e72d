package dev.herald.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.notify.ValidationException;

import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The registrations of mobile devices:
 * <pre>
 * {"platform": "apns", "token": "&lt;hex&gt;", "topic": "com.example.app", "environment": "production"}
 * {"platform": "fcm", "token": "&lt;registration token&gt;"}
 * </pre>
 * An APNs token is the device token in hex (64 characters today; up to 200 accepted, as Apple
 * reserves the right to lengthen it); {@code environment} is {@code production} (default) or
 * {@code development} (the sandbox, for builds signed for development).
 */
public final class MobileDevices {
    private static final Pattern APNS_TOKEN = Pattern.compile("[0-9a-fA-F]{64,200}");
    /** A bundle id, optionally with APNs' suffixes ({@code .voip}, {@code .complication}). */
    private static final Pattern APNS_TOPIC = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,254}");
    private static final Pattern FCM_TOKEN = Pattern.compile("[A-Za-z0-9_:.-]{32,1024}");

    private MobileDevices() {
    }

    /** Reads an APNs registration. */
    public static final DeviceReader APNS = (body, userStream, now) -> {
        fields(body, Set.of("platform", "token", "topic", "environment"));
        String token = text(body, "token", APNS_TOKEN, "the device token in hex, 64-200 characters");
        String topic = text(body, "topic", APNS_TOPIC, "the app's bundle id, e.g. com.example.app");
        JsonNode env = body.get("environment");
        boolean sandbox = false;
        if (env != null && !env.isNull()) {
            if (!env.isTextual() || !Set.of("production", "development").contains(env.asText())) {
                throw new ValidationException("environment", "production or development");
            }
            sandbox = env.asText().equals("development");
        }
        return new PushDevice("-", userStream, PushPlatform.APNS, token.toLowerCase(java.util.Locale.ROOT), null, null,
                topic, sandbox, now);
    };

    /** Reads an FCM registration. */
    public static final DeviceReader FCM = (body, userStream, now) -> {
        fields(body, Set.of("platform", "token"));
        String token = text(body, "token", FCM_TOKEN, "the FCM registration token, 32-1024 characters of letters, digits and _ : . -");
        return new PushDevice("-", userStream, PushPlatform.FCM, token, null, null, null, false, now);
    };

    private static void fields(JsonNode body, Set<String> allowed) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw new ValidationException(name, "unknown field (" + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    private static String text(JsonNode body, String field, Pattern pattern, String rule) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || !pattern.matcher(v.asText()).matches()) {
            throw new ValidationException(field, "required: " + rule);
        }
        return v.asText();
    }
}
