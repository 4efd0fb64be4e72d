package dev.herald.server.push.webpush;

import dev.herald.server.notify.ValidationException;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The hosts a Web Push endpoint may name. A subscription's endpoint is a URL the browser (so the
 * user) chooses and Herald POSTs to, so by default only the public push services are accepted:
 * Herald never becomes a way to reach a host on its own network. An entry is a host name, or
 * {@code *.domain} for every host under it, or {@code *} for any host. Loopback hosts are accepted
 * too when http endpoints are (test push services). Immutable.
 */
public final class EndpointHosts {
    /** The push services of Chrome and other Chromium browsers, Firefox, Edge and Safari. */
    public static final List<String> PUBLIC_PUSH_SERVICES = List.of("fcm.googleapis.com", "android.googleapis.com",
            "*.push.services.mozilla.com", "*.notify.windows.com", "*.push.apple.com");

    private final List<String> entries;
    private final boolean loopback;

    /** @param loopback also accept 127.0.0.0/8, ::1 and localhost */
    public EndpointHosts(List<String> entries, boolean loopback) {
        this.entries = entries.stream().map(e -> e.strip().toLowerCase(Locale.ROOT)).filter(e -> !e.isEmpty()).toList();
        this.loopback = loopback;
        for (String e : this.entries) {
            if (!e.equals("*") && !e.matches("(\\*\\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
                throw new IllegalArgumentException("push-webpush-hosts: '" + e + "' is not a host name, *.domain or *");
            }
        }
    }

    /**
     * Refuses an endpoint whose host is not allowed.
     *
     * @throws ValidationException on {@code subscription.endpoint}
     */
    public void check(URI endpoint) {
        String host = Objects.requireNonNull(endpoint.getHost(), "host").toLowerCase(Locale.ROOT);
        if (allows(host)) {
            return;
        }
        throw new ValidationException("subscription.endpoint", "the host " + host
                + " is not a push service this server sends to (--push-webpush-hosts)");
    }

    boolean allows(String host) {
        for (String e : entries) {
            if (e.equals("*") || e.equals(host) || e.startsWith("*.") && host.endsWith(e.substring(1))) {
                return true;
            }
        }
        return loopback && isLoopback(host);
    }

    private static boolean isLoopback(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!literal.matches("[0-9.]+|[0-9a-f:]+")) {
            return false; // a name: not resolved here, so not trusted as loopback
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
