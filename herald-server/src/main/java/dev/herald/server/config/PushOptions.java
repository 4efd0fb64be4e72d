package dev.herald.server.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a node pushes to closed apps (the {@code --push-*} options). Web Push is on unless turned
 * off, with keys generated in the data directory unless configured; APNs and FCM are on when
 * their credentials are given. Each provider's address can be changed, for private deployments
 * and tests; {@code trustFile} then names the certificates to trust instead of the JDK's.
 *
 * @param webPush            send Web Push to browsers
 * @param vapidSubject       the contact the push services see in the VAPID token: a mailto: or https: URI
 * @param vapidPublicKey     the VAPID public key (base64url, 65-byte uncompressed P-256 point), or null to use the generated one
 * @param vapidPrivateKey    its private key (base64url, 32 bytes), with the public key or not at all
 * @param allowHttpEndpoints accept Web Push endpoints on plain http (loopback test services only; never in production)
 * @param apnsKeyFile        the APNs token signing key (.p8), or null: APNs off
 * @param apnsKeyId          the key's id (10 characters, from Apple's developer site)
 * @param apnsTeamId         the Apple developer team id
 * @param apnsUrl            APNs production server
 * @param apnsSandboxUrl     APNs development server
 * @param fcmServiceAccount  the Firebase service account JSON file, or null: FCM off
 * @param fcmUrl             FCM's API base
 * @param fcmTokenUrl        the OAuth token endpoint, or null for the service account's {@code token_uri}
 * @param trustFile          PEM certificates to trust for every push provider instead of the JDK's CAs, or null
 * @param webPushHosts       hosts a Web Push endpoint may name ({@code *.domain} for every host under it, {@code *}
 *                           for any); null for the public push services
 * @param chatPolicy         how a chat's {@code new_message} notification is pushed: {@code none}, {@code always} or
 *                           {@code when_offline}
 */
public record PushOptions(boolean webPush, String vapidSubject, String vapidPublicKey, String vapidPrivateKey,
                          boolean allowHttpEndpoints, Path apnsKeyFile, String apnsKeyId, String apnsTeamId, URI apnsUrl,
                          URI apnsSandboxUrl, Path fcmServiceAccount, URI fcmUrl, URI fcmTokenUrl, Path trustFile,
                          java.util.List<String> webPushHosts, String chatPolicy) {
    public static final String DEFAULT_SUBJECT = "mailto:push@herald.invalid";
    /** A chat message is pushed to members who are offline: what chat apps do. */
    public static final String DEFAULT_CHAT_POLICY = "when_offline";
    public static final URI APNS = URI.create("https://api.push.apple.com:443");
    public static final URI APNS_SANDBOX = URI.create("https://api.sandbox.push.apple.com:443");
    public static final URI FCM = URI.create("https://fcm.googleapis.com");

    public PushOptions {
        webPushHosts = webPushHosts == null ? null : java.util.List.copyOf(webPushHosts);
        chatPolicy = chatPolicy == null ? DEFAULT_CHAT_POLICY : chatPolicy;
        if (!java.util.Set.of("none", "always", "when_offline").contains(chatPolicy)) {
            throw new IllegalArgumentException("push-chat-policy: none, always or when_offline, was " + chatPolicy);
        }
        Objects.requireNonNull(vapidSubject, "vapidSubject");
        Objects.requireNonNull(apnsUrl, "apnsUrl");
        Objects.requireNonNull(apnsSandboxUrl, "apnsSandboxUrl");
        Objects.requireNonNull(fcmUrl, "fcmUrl");
        if (!vapidSubject.startsWith("mailto:") && !vapidSubject.startsWith("https://")) {
            throw new IllegalArgumentException("push-vapid-subject: a mailto: or https: URI, e.g. mailto:ops@example.com");
        }
        if ((vapidPublicKey == null) != (vapidPrivateKey == null)) {
            throw new IllegalArgumentException("push-vapid-public-key: give both VAPID keys or neither (then they are generated)");
        }
        if (apnsKeyFile != null && (blank(apnsKeyId) || blank(apnsTeamId))) {
            throw new IllegalArgumentException("push-apns-key-id: APNs needs the key file, its key id and the team id");
        }
        if (apnsKeyFile == null && (!blank(apnsKeyId) || !blank(apnsTeamId))) {
            throw new IllegalArgumentException("push-apns-key-file: required with push-apns-key-id and push-apns-team-id");
        }
    }

    /** Options with the public push services as Web Push hosts and the default chat policy. */
    public PushOptions(boolean webPush, String vapidSubject, String vapidPublicKey, String vapidPrivateKey,
                       boolean allowHttpEndpoints, Path apnsKeyFile, String apnsKeyId, String apnsTeamId, URI apnsUrl,
                       URI apnsSandboxUrl, Path fcmServiceAccount, URI fcmUrl, URI fcmTokenUrl, Path trustFile) {
        this(webPush, vapidSubject, vapidPublicKey, vapidPrivateKey, allowHttpEndpoints, apnsKeyFile, apnsKeyId, apnsTeamId,
                apnsUrl, apnsSandboxUrl, fcmServiceAccount, fcmUrl, fcmTokenUrl, trustFile, null, null);
    }

    /** Web Push on with generated keys, APNs and FCM off. */
    public static PushOptions defaults() {
        return new PushOptions(true, DEFAULT_SUBJECT, null, null, false, null, null, null, APNS, APNS_SANDBOX, null, FCM,
                null, null, null, null);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
