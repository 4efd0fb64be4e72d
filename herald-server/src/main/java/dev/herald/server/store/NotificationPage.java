package dev.herald.server.store;

import java.util.List;

/**
 * A page of notifications, newest first.
 *
 * @param notifications the page
 * @param nextBeforeSeq pass as {@link NotificationQuery#beforeSeq()} for the next page; null on the last page
 */
public record NotificationPage(List<StoredNotification> notifications, Long nextBeforeSeq) {
    public NotificationPage {
        notifications = List.copyOf(notifications);
    }
}
