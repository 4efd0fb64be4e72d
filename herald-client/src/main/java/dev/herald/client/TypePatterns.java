package dev.herald.client;

import java.util.Collection;

/** Type patterns as Herald's {@code types=} takes them: exact types, or prefixes ending in {@code *}. */
final class TypePatterns {
    private TypePatterns() {
    }

    static boolean matches(String pattern, String type) {
        if (pattern.endsWith("*")) {
            return type.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return pattern.equals(type);
    }

    /** @throws IllegalArgumentException naming {@code argument} for a blank pattern or a {@code *} not at the end */
    static void validate(String argument, Collection<String> patterns) {
        if (patterns.size() > 64) {
            throw new IllegalArgumentException(argument + ": at most 64 patterns, was " + patterns.size());
        }
        for (String p : patterns) {
            validate(argument, p);
        }
    }

    static void validate(String argument, String pattern) {
        if (pattern == null || pattern.trim().isEmpty()) {
            throw new IllegalArgumentException(argument + ": a pattern may not be blank");
        }
        int star = pattern.indexOf('*');
        if (star >= 0 && star != pattern.length() - 1) {
            throw new IllegalArgumentException(argument + ": '" + pattern + "' may only have '*' at its end");
        }
        if (pattern.indexOf(',') >= 0) {
            throw new IllegalArgumentException(argument + ": '" + pattern + "' may not contain ','");
        }
    }
}
