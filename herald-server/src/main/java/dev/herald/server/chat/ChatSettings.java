package dev.herald.server.chat;

import java.time.Duration;

/**
 * Limits of chat. Immutable.
 *
 * @param maxContentChars     longest message content, in characters
 * @param previewChars        length of {@code content_preview} in the new_message notification
 * @param typingExpiry        a typing state never stopped ends by itself after this long
 * @param typingPerSecond     sustained typing/stop_typing events per user per second
 * @param typingBurst         typing events a user may send at once
 * @param maxTypingStates     cap on simultaneous typing states on this node (memory bound)
 * @param maxJoinsPerConnection conversations one chat connection may have joined at once
 * @param historyMaxLimit     largest history page
 */
public record ChatSettings(int maxContentChars, int previewChars, Duration typingExpiry, double typingPerSecond,
                           int typingBurst, int maxTypingStates, int maxJoinsPerConnection, int historyMaxLimit) {
    public ChatSettings {
        if (maxContentChars < 1 || previewChars < 4 || typingPerSecond <= 0 || typingBurst < 1
                || maxTypingStates < 1 || maxJoinsPerConnection < 1 || historyMaxLimit < 1) {
            throw new IllegalArgumentException("chat settings: limits must be positive");
        }
        if (typingExpiry.isNegative() || typingExpiry.isZero()) {
            throw new IllegalArgumentException("typingExpiry: must be positive");
        }
    }

    /** A long chat message (about a page of text); longer content is refused. */
    public static final int DEFAULT_MAX_CONTENT_CHARS = 4000;
    /** Enough for a bell dropdown line. */
    public static final int DEFAULT_PREVIEW_CHARS = 30;
    /** Clients repeat {@code typing} every few seconds while typing; a lost stop ends after this. */
    public static final Duration DEFAULT_TYPING_EXPIRY = Duration.ofSeconds(5);
    /** Typing events per user: 2/s sustained, 5 at once, more than any keyboard needs. */
    public static final double DEFAULT_TYPING_PER_SECOND = 2;
    public static final int DEFAULT_TYPING_BURST = 5;
    /** Typing states held by a node at once: a memory bound, each a map entry of roughly 100 bytes. */
    public static final int DEFAULT_MAX_TYPING_STATES = 100_000;
    /** Conversations one chat connection may have joined: an inbox screen's worth and more. */
    public static final int DEFAULT_MAX_JOINS_PER_CONNECTION = 200;
    /** Largest history page: one store read, one frame of a few hundred KB at most. */
    public static final int DEFAULT_HISTORY_MAX_LIMIT = 100;

    public static ChatSettings defaults() {
        return new ChatSettings(DEFAULT_MAX_CONTENT_CHARS, DEFAULT_PREVIEW_CHARS, DEFAULT_TYPING_EXPIRY,
                DEFAULT_TYPING_PER_SECOND, DEFAULT_TYPING_BURST, DEFAULT_MAX_TYPING_STATES,
                DEFAULT_MAX_JOINS_PER_CONNECTION, DEFAULT_HISTORY_MAX_LIMIT);
    }

    public ChatSettings withTypingExpiry(Duration expiry) {
        return new ChatSettings(maxContentChars, previewChars, expiry, typingPerSecond, typingBurst, maxTypingStates,
                maxJoinsPerConnection, historyMaxLimit);
    }

    public ChatSettings withMaxContentChars(int max) {
        return new ChatSettings(max, previewChars, typingExpiry, typingPerSecond, typingBurst, maxTypingStates,
                maxJoinsPerConnection, historyMaxLimit);
    }
}
