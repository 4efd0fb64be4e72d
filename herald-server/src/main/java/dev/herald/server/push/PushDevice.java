package dev.herald.server.push;

import java.time.Instant;
import java.util.Objects;

/**
 * A device registered to receive a user's pushes.
 *
 * @param id          Herald's id of the registration (what the API names it by)
 * @param userStream  the owner's stream key, {@code user:<id>}
 * @param platform    where it is sent
 * @param address     the push service endpoint URL (Web Push) or the device token (APNs, FCM);
 *                    unique per platform: registering it again moves it to the new owner
 * @param p256dh      Web Push only: the browser's P-256 public key, base64url (uncompressed point)
 * @param auth        Web Push only: the 16-byte authentication secret, base64url
 * @param apnsTopic   APNs only: the topic, normally the app's bundle id
 * @param apnsSandbox APNs only: true for the development environment
 * @param createdAt   when it was registered (last registered, for a re-registration)
 */
public record PushDevice(String id, String userStream, PushPlatform platform, String address, String p256dh,
                         String auth, String apnsTopic, boolean apnsSandbox, Instant createdAt) {
    public PushDevice {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(userStream, "userStream");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(address, "address");
    }

    /** Safe to log: the platform and Herald's id, never the token or endpoint (they are credentials). */
    @Override
    public String toString() {
        return "PushDevice[" + platform.wireName() + " " + id + " of " + userStream + "]";
    }
}
