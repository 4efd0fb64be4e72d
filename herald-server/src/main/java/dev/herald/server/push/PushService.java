package dev.herald.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.notify.NotificationService;
import dev.herald.server.notify.ValidationException;
import dev.herald.server.store.InboxAction;

import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Devices and receipts as the HTTP API uses them: register, list and remove a user's devices,
 * read a device's history, and take a receipt from a push that was opened. Thread-safe; methods
 * block on the store.
 */
public final class PushService {
    /** Devices one user may have; registering one more removes the longest registered. */
    public static final int MAX_DEVICES_PER_USER = 20;
    /** Attempts of a device one history read returns at most. */
    public static final int MAX_ATTEMPTS_READ = 200;

    private final PushStore store;
    private final Map<PushPlatform, DeviceReader> readers;
    private final PushReceipts receipts;
    private final PushTemplates templates;
    private final NotificationService notifications;
    private final String webPushPublicKey;
    private final Clock clock;

    /**
     * @param readers          one per platform this node can send to
     * @param webPushPublicKey the VAPID public key browsers subscribe with (base64url), or null
     *                         when Web Push is off
     */
    public PushService(PushStore store, Map<PushPlatform, DeviceReader> readers, PushReceipts receipts,
                       PushTemplates templates, NotificationService notifications, String webPushPublicKey, Clock clock) {
        this.templates = templates;
        this.store = store;
        this.readers = readers.isEmpty() ? Map.of() : new EnumMap<>(readers);
        this.receipts = receipts;
        this.notifications = notifications;
        this.webPushPublicKey = webPushPublicKey;
        this.clock = clock;
    }

    /** The platforms this node sends to, by wire name, in a stable order. */
    public List<String> platforms() {
        return readers.keySet().stream().sorted().map(PushPlatform::wireName).toList();
    }

    /** The VAPID public key, when Web Push is on. */
    public Optional<String> webPushPublicKey() {
        return Optional.ofNullable(webPushPublicKey);
    }

    /**
     * Registers the device a body describes ({@code platform} and that platform's fields) for
     * the user.
     *
     * @throws ValidationException naming the bad field, or {@code platform} when this node does
     *                             not send to it
     */
    public PushStore.Registered register(String userStream, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("body", "must be a JSON object with a platform: webpush, apns or fcm");
        }
        JsonNode name = body.get("platform");
        Optional<PushPlatform> platform = name != null && name.isTextual() ? PushPlatform.of(name.asText()) : Optional.empty();
        if (platform.isEmpty()) {
            throw new ValidationException("platform", "required: webpush, apns or fcm");
        }
        DeviceReader reader = readers.get(platform.get());
        if (reader == null) {
            throw new ValidationException("platform", platform.get().wireName() + " is not configured on this server"
                    + (readers.isEmpty() ? " (no push platform is)" : " (" + String.join(", ", platforms()) + " are)"));
        }
        PushDevice device = reader.read(body, userStream, clock.instant());
        return store.register(device, MAX_DEVICES_PER_USER);
    }

    public List<PushDevice> devices(String userStream) {
        return store.devices(userStream);
    }

    public boolean remove(String userStream, String deviceId) {
        return store.remove(userStream, deviceId);
    }

    /**
     * The device's recent attempts, newest first; empty when the device is another user's, or
     * neither exists nor left a history (a removed device's history stays for
     * {@link PushDispatcher#HISTORY}).
     */
    public Optional<List<PushAttempt>> attempts(String userStream, String deviceId) {
        Optional<PushDevice> device = store.device(deviceId);
        if (device.isPresent() && !device.get().userStream().equals(userStream)) {
            return Optional.empty();
        }
        List<PushAttempt> attempts = store.attempts(deviceId, MAX_ATTEMPTS_READ);
        return device.isEmpty() && attempts.isEmpty() ? Optional.empty() : Optional.of(attempts);
    }

    /**
     * A push was opened on a device: marks its notification read (and so seen) for the user the
     * receipt names. Returns false for a receipt that is forged, altered, expired or malformed.
     */
    public boolean opened(String receipt) {
        Optional<PushReceipts.Receipt> valid = receipts.verify(receipt, clock.instant());
        valid.ifPresent(r -> notifications.apply(r.userStream(), InboxAction.READ, List.of(r.notificationId())));
        return valid.isPresent();
    }

    /** The push templates an app backend set. */
    public PushTemplates templates() {
        return templates;
    }
}
