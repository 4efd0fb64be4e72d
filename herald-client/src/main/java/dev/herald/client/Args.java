package dev.herald.client;

import java.time.Duration;

/** Checks of builder and call arguments, each failing with {@code IllegalArgumentException} naming the argument. */
final class Args {
    private Args() {
    }

    /** {@code value} as given, if it has a non-blank character. */
    static String notBlank(String name, String value) {
        if (value == null || value.trim().isEmpty()) {
            throw new IllegalArgumentException(name + ": required, not blank");
        }
        return value;
    }

    /** {@code d}, if longer than zero. */
    static Duration positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": must be positive, was " + d);
        }
        return d;
    }
}
