package dev.herald.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.chat.presence.PresenceTracker;
import dev.herald.server.config.HeraldConfig;
import dev.herald.server.config.HeraldStartupException;
import dev.herald.server.config.PushOptions;
import dev.herald.server.metrics.HeraldMetrics;
import dev.herald.server.notify.NotificationService;
import dev.herald.server.notify.ValidationException;
import dev.herald.server.push.DeviceReader;
import dev.herald.server.push.PushDevice;
import dev.herald.server.push.TrustedCertificates;
import dev.herald.server.push.apns.ApnsSender;
import dev.herald.server.push.apns.ApnsSettings;
import dev.herald.server.push.fcm.FcmSender;
import dev.herald.server.push.fcm.FcmSettings;
import dev.herald.server.push.webpush.EndpointHosts;
import dev.herald.server.push.webpush.VapidKeys;
import dev.herald.server.push.webpush.WebPushSender;
import dev.herald.server.push.webpush.WebPushSettings;
import dev.herald.server.push.webpush.WebPushSubscription;
import dev.herald.server.push.MobileDevices;
import dev.herald.server.push.PushDispatcher;
import dev.herald.server.push.PushMessages;
import dev.herald.server.push.PushPlatform;
import dev.herald.server.push.PushReceipts;
import dev.herald.server.push.PushSender;
import dev.herald.server.push.PushService;
import dev.herald.server.push.PushTemplates;
import dev.herald.server.push.jdbc.JdbcPushStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Push on a node: the senders its options turn on, the dispatcher that sends the outbox, and the
 * service the HTTP routes use.
 *
 * @param service    devices, receipts and the public push settings, for the routes
 * @param dispatcher sends the outbox; closed (and with it the senders) by {@link #close}
 */
record PushAssembly(PushService service, PushDispatcher dispatcher) {
    private static final Logger log = LoggerFactory.getLogger(PushAssembly.class);
    /** The senders' names of their settings, as the start of a refusal, and the options behind them. */
    private static final Map<String, String> OPTION_NAMES = Map.of(
            "signingKeyFile:", "push-apns-key-file:",
            "keyId:", "push-apns-key-id:",
            "teamId:", "push-apns-team-id:",
            "productionServer:", "push-apns-url:",
            "developmentServer:", "push-apns-sandbox-url:",
            "serviceAccountFile:", "push-fcm-service-account:",
            "FCM service account file ", "push-fcm-service-account: ",
            "baseUrl:", "push-fcm-url:",
            "tokenUrl:", "push-fcm-token-url:",
            "subject:", "push-vapid-subject:");

    /**
     * Builds the senders of the configured platforms and starts the dispatcher; the store wakes it
     * on every commit that wrote push jobs.
     *
     * @throws HeraldStartupException naming the option when a key or credentials file is unusable
     */
    static PushAssembly start(HeraldConfig config, StoreAssembly stores, NotificationService notifications,
                              PresenceTracker presence, HeraldMetrics metrics) {
        PushOptions options = config.push();
        Map<PushPlatform, DeviceReader> readers = new EnumMap<>(PushPlatform.class);
        List<PushSender> senders = new ArrayList<>();
        VapidKeys keys = vapidKeys(config);
        try {
            List<X509Certificate> trusted = options.trustFile() == null ? null
                    : TrustedCertificates.read(options.trustFile(), "push-trust-file");
            if (options.webPush()) {
                senders.add(new WebPushSender(new WebPushSettings(options.vapidSubject(), keys, options.allowHttpEndpoints(),
                        WebPushSettings.DEFAULT_TIMEOUT, trusted == null ? null : TrustedCertificates.sslContext(trusted))));
                readers.put(PushPlatform.WEBPUSH, webPushReader(options.allowHttpEndpoints(), new EndpointHosts(
                        options.webPushHosts() == null ? EndpointHosts.PUBLIC_PUSH_SERVICES : options.webPushHosts(),
                        options.allowHttpEndpoints())));
                if (config.storeUrl() != null && options.vapidPublicKey() == null) {
                    log.warn("push: the Web Push keys were generated in {}; every node sharing this database must use the "
                            + "same pair: give each --push-vapid-public-key and --push-vapid-private-key", config.dataDir());
                }
            }
            if (options.apnsKeyFile() != null) {
                senders.add(new ApnsSender(new ApnsSettings(options.apnsKeyFile(), options.apnsKeyId(), options.apnsTeamId(),
                        options.apnsUrl().toString(), options.apnsSandboxUrl().toString(), trusted, null)));
                readers.put(PushPlatform.APNS, MobileDevices.APNS);
            }
            if (options.fcmServiceAccount() != null) {
                senders.add(new FcmSender(new FcmSettings(options.fcmServiceAccount(), options.fcmUrl(), options.fcmTokenUrl(),
                        trusted, null)));
                readers.put(PushPlatform.FCM, MobileDevices.FCM);
            }
        } catch (IllegalArgumentException e) {
            senders.forEach(PushSender::close);
            throw new HeraldStartupException(inOptionNames(e.getMessage()), e);
        } catch (RuntimeException e) {
            senders.forEach(PushSender::close);
            throw e;
        }
        JdbcPushStore store = new JdbcPushStore(stores.notifications().dataSource());
        PushReceipts receipts = new PushReceipts(keys.derive("herald push receipts v1"));
        PushTemplates templates = new PushTemplates(store, System::nanoTime);
        PushDispatcher dispatcher = new PushDispatcher(store, senders, new PushMessages(new ObjectMapper(), receipts, templates::of),
                notifications::preferences, notifications::category, presence::isOnline,
                Clock.systemUTC(), metrics.registry());
        stores.notifications().onPushJobs(dispatcher::wake);
        PushService service = new PushService(store, readers, receipts, templates, notifications,
                options.webPush() ? keys.publicKeyBase64Url() : null, Clock.systemUTC());
        log.info("push: platforms={}", service.platforms().isEmpty() ? "none" : String.join(",", service.platforms()));
        return new PushAssembly(service, dispatcher);
    }

    /**
     * The configured VAPID pair, else the one kept in the data directory (generated on first
     * start). Loaded even with Web Push off: receipts are signed with a secret derived from it.
     */
    private static VapidKeys vapidKeys(HeraldConfig config) {
        PushOptions options = config.push();
        if (options.vapidPublicKey() != null) {
            try {
                return VapidKeys.of(options.vapidPublicKey(), options.vapidPrivateKey());
            } catch (IllegalArgumentException e) {
                throw new HeraldStartupException("push-vapid-public-key/push-vapid-private-key: " + e.getMessage(), e);
            }
        }
        return VapidKeys.loadOrCreate(config.dataDir(), new SecureRandom());
    }

    /**
     * A sender's refusal, which names its own setting ({@code signingKeyFile: ...}), named by the
     * option an operator gives instead ({@code push-apns-key-file: ...}); the rest of the message
     * (the file, what is wrong, never a key) is kept.
     */
    private static String inOptionNames(String message) {
        if (message == null) {
            return "push: a push setting is unusable";
        }
        for (Map.Entry<String, String> e : OPTION_NAMES.entrySet()) {
            if (message.startsWith(e.getKey())) {
                return e.getValue() + message.substring(e.getKey().length());
            }
        }
        return message.startsWith("push-") ? message : "push: " + message;
    }

    /** {@code {"platform": "webpush", "subscription": <PushSubscription.toJSON()>}}. */
    private static DeviceReader webPushReader(boolean allowHttp, EndpointHosts hosts) {
        return (body, userStream, now) -> {
            for (java.util.Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!name.equals("platform") && !name.equals("subscription")) {
                    throw new ValidationException(name, "unknown field (platform, subscription)");
                }
            }
            WebPushSubscription s = WebPushSubscription.parse(body.get("subscription"), allowHttp);
            hosts.check(s.endpoint());
            return new PushDevice("-", userStream, PushPlatform.WEBPUSH, s.endpoint().toString(), s.p256dh(), s.auth(),
                    null, false, now);
        };
    }

    /** Stops the dispatcher (jobs in hand finish or are left to their leases) and closes the senders. */
    void close() {
        dispatcher.close();
    }
}
