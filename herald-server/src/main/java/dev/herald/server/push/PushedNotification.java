package dev.herald.server.push;

/**
 * What the dispatcher needs to know of a notification when it sends its push.
 *
 * @param json        the notification object
 * @param type        its type
 * @param category    its inbox category, or null
 * @param seen        whether the user saw it in the app (or read it)
 * @param unseenCount the user's unseen count now (the badge)
 */
public record PushedNotification(String json, String type, String category, boolean seen, long unseenCount) {
}
