package dev.herald.server.push;

import dev.herald.server.store.PushPolicy;

import java.time.Instant;

/**
 * One row of the push outbox, as the dispatcher took it.
 *
 * @param id             the row's id
 * @param userStream     whose notification it is
 * @param seq            the notification's seq in that stream
 * @param notificationId the notification's id
 * @param deviceId       null: every device of the user; else a retry to this device alone
 * @param policy         when to send it
 * @param collapseKey    a newer job of the same user with this key makes this one moot; or null
 * @param options        the publish's push fields as JSON, or null
 * @param attempts       sends already tried (for a retry job)
 * @param createdAt      when the notification was committed
 */
public record PushJob(long id, String userStream, long seq, String notificationId, String deviceId, PushPolicy policy,
                      String collapseKey, String options, int attempts, Instant createdAt) {
}
