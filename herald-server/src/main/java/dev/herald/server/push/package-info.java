/**
 * Push to apps that are closed: devices users register ({@link PushDevice}), the outbox of push
 * jobs the publish transaction writes, the dispatcher that sends them through one
 * {@link PushSender} per platform, and the payload a device is sent ({@link PushMessage}).
 * The senders live below it: {@code push.webpush} (RFC 8030/8291/8292), {@code push.apns}
 * (Pushy), {@code push.fcm} (FCM HTTP v1); the outbox and device rows in {@code push.jdbc}.
 *
 * <p>May depend on {@code store}, {@code stream}, {@code broker} and {@code work}.
 */
package dev.herald.server.push;
