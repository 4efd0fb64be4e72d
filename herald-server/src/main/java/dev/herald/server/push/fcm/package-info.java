/**
 * Push through Firebase Cloud Messaging's HTTP v1 API: {@link dev.herald.server.push.fcm.FcmSettings},
 * the service account that signs access token requests ({@link dev.herald.server.push.fcm.FcmServiceAccount})
 * and {@link dev.herald.server.push.fcm.FcmSender}, on the JDK's HTTP/2 client.
 *
 * <p>May depend on {@code push} only (the platform-neutral types it implements); nothing but the
 * root package, which wires the senders, depends on it.
 */
package dev.herald.server.push.fcm;
