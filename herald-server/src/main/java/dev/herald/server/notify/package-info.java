/**
 * Notifications: publish validation ({@link PublishCommand}, batches in {@link PublishBatch},
 * {@link Idempotency} keys and fingerprints), their frames, the notification service over the
 * store and the broker, and the commit forwarder.
 *
 * <p>May depend on {@code store}, {@code delivery}, {@code broker} and {@code stream}.
 */
package dev.herald.server.notify;
