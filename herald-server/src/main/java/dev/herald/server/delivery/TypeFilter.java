package dev.herald.server.delivery;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which notification types a connection wants, from a {@code types=} parameter such as
 * {@code order_created,order_status_changed} or {@code order_*}. Immutable.
 */
public final class TypeFilter {
    public static final TypeFilter ALL = new TypeFilter(Set.of(), List.of(), true);
    private static final int MAX_PATTERNS = 64;

    private final Set<String> exact;
    private final List<String> prefixes;
    private final boolean all;

    private TypeFilter(Set<String> exact, List<String> prefixes, boolean all) {
        this.exact = exact;
        this.prefixes = prefixes;
        this.all = all;
    }

    /**
     * Parses a comma-separated list of types and prefix patterns ({@code name*}).
     * Null or blank means every type.
     *
     * @throws IllegalArgumentException naming the bad pattern
     */
    public static TypeFilter parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return ALL;
        }
        Set<String> exact = new HashSet<>();
        List<String> prefixes = new ArrayList<>();
        String[] parts = spec.split(",");
        if (parts.length > MAX_PATTERNS) {
            throw new IllegalArgumentException("types: at most " + MAX_PATTERNS + " patterns");
        }
        for (String raw : parts) {
            String p = raw.strip();
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals("*")) {
                return ALL;
            }
            int star = p.indexOf('*');
            if (star >= 0 && star != p.length() - 1) {
                throw new IllegalArgumentException("types: '" + p + "' may only have '*' at its end");
            }
            if (star > 0) {
                prefixes.add(p.substring(0, star));
            } else {
                exact.add(p);
            }
        }
        if (exact.isEmpty() && prefixes.isEmpty()) {
            return ALL;
        }
        return new TypeFilter(Set.copyOf(exact), List.copyOf(prefixes), false);
    }

    public boolean matches(String type) {
        if (all || exact.contains(type)) {
            return true;
        }
        for (String prefix : prefixes) {
            if (type.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    public boolean isAll() {
        return all;
    }
}
