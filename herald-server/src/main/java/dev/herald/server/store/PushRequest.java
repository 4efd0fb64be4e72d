package dev.herald.server.store;

import java.time.Duration;
import java.util.Objects;

/**
 * How a publish asks for its notifications to be pushed: the store writes one push job per user
 * it stored the notification for (and whose preferences allow push), in the same transaction.
 *
 * @param policy      when to push; {@link PushPolicy#NONE} writes no job
 * @param delay       {@link PushPolicy#IF_UNSEEN_AFTER}'s wait; zero otherwise
 * @param collapseKey a newer push with this key replaces an older one not yet sent, and on the device; or null
 * @param options     the publish's other push fields (title, body, icon, url, ttl, urgency) as a JSON
 *                    object Herald validated, or null
 */
public record PushRequest(PushPolicy policy, Duration delay, String collapseKey, String options) {
    /** Longest {@code options} document. */
    public static final int MAX_OPTIONS_CHARS = 4096;
    /** Longest collapse key. */
    public static final int MAX_COLLAPSE_KEY = 64;
    /** Explicitly no push (a publish's {@code "push": false}), whatever its category's default. */
    public static final PushRequest NONE = new PushRequest(PushPolicy.NONE, Duration.ZERO, null, null);

    public PushRequest {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative() || (policy != PushPolicy.IF_UNSEEN_AFTER && !delay.isZero())) {
            throw new IllegalArgumentException("delay: a positive wait for if_unseen_after, zero otherwise, was " + delay);
        }
        if (collapseKey != null && (collapseKey.isEmpty() || collapseKey.length() > MAX_COLLAPSE_KEY)) {
            throw new IllegalArgumentException("collapseKey: 1.." + MAX_COLLAPSE_KEY + " characters");
        }
        if (options != null && options.length() > MAX_OPTIONS_CHARS) {
            throw new IllegalArgumentException("options: at most " + MAX_OPTIONS_CHARS + " characters");
        }
    }

    /** A category's default: this policy and wait, no other options. */
    public static PushRequest of(PushPolicy policy, Duration delay) {
        return policy == PushPolicy.NONE ? NONE : new PushRequest(policy, delay, null, null);
    }

    /**
     * Whether {@code text} may be a push's link: an https URL with a host (an icon), or, unless
     * {@code httpsOnly}, also an http URL or a path starting with a single {@code /} (a click's
     * target, resolved against the app's origin); never with user info or control characters.
     */
    public static boolean isLink(String text, boolean httpsOnly) {
        if (text.chars().anyMatch(Character::isISOControl)) {
            return false;
        }
        if (!httpsOnly && text.startsWith("/") && !text.startsWith("//")) {
            return true;
        }
        try {
            java.net.URI uri = new java.net.URI(text);
            String scheme = uri.getScheme();
            return uri.getHost() != null && uri.getRawUserInfo() == null
                    && ("https".equalsIgnoreCase(scheme) || (!httpsOnly && "http".equalsIgnoreCase(scheme)));
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }
}
