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

    public static ChatSettings defaults() {
        return new ChatSettings(4000, 30, Duration.ofSeconds(5), 2, 5, 100_000, 200, 100);
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
