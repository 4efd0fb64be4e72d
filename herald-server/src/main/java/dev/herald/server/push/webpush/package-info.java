/**
 * Web Push (RFC 8030) to browsers' push services: message encryption (RFC 8291, {@code aes128gcm}
 * of RFC 8188) and VAPID (RFC 8292) from the JDK's own cryptography, the subscription a browser
 * registers ({@link WebPushSubscription}), and {@link WebPushSender}, the {@code PushSender} for
 * {@code PushPlatform.WEBPUSH} on {@code java.net.http.HttpClient}, configured by
 * {@link WebPushSettings} with {@link VapidKeys}.
 *
 * <p>May depend on {@code push}, {@code notify} (for {@code ValidationException}) and {@code config}.
 */
package dev.herald.server.push.webpush;
