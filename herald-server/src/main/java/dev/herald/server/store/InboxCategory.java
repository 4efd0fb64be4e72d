package dev.herald.server.store;

import java.util.Objects;

/**
 * An app backend's settings of one category: whether its notifications use each channel for
 * users who did not choose (the defaults), and whether it is critical (users cannot mute it).
 *
 * @param name        the category, as publishes give it
 * @param inApp       default for the in-app inbox
 * @param push        default for push (used by the push channel)
 * @param critical    always delivered, whatever the user's preferences
 * @param description shown to users on a preferences page; may be empty
 * @param pushDefault how a publish of this category that does not choose is pushed
 *                    ({@link PushRequest#NONE}: not pushed)
 */
public record InboxCategory(String name, boolean inApp, boolean push, boolean critical, String description,
                            PushRequest pushDefault) {
    /** What a category name is, wherever one is given (a publish, a filter, preferences, settings): 1-64 letters, digits, {@code _ . -}. */
    public static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    public InboxCategory {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        pushDefault = pushDefault == null ? PushRequest.NONE : pushDefault;
        if (pushDefault.collapseKey() != null || pushDefault.options() != null) {
            throw new IllegalArgumentException("pushDefault: a category's default is a policy and a wait only");
        }
    }

    /** A category whose publishes are not pushed unless they ask. */
    public InboxCategory(String name, boolean inApp, boolean push, boolean critical, String description) {
        this(name, inApp, push, critical, description, PushRequest.NONE);
    }

    /** The default for {@code channel}. */
    public boolean allows(String channel) {
        return Preferences.IN_APP.equals(channel) ? inApp : push;
    }
}
