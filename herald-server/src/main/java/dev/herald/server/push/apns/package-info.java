/**
 * Push to Apple devices through APNs with Pushy: {@link dev.herald.server.push.apns.ApnsSettings}
 * (the .p8 key, key id, team id, servers) and {@link dev.herald.server.push.apns.ApnsSender}.
 *
 * <p>May depend on {@code push} only (the platform-neutral types it implements); nothing but the
 * root package, which wires the senders, depends on it.
 */
package dev.herald.server.push.apns;
