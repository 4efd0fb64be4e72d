package dev.herald.server.push;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The push templates as the dispatcher reads them: kept in memory and read again when older than
 * {@link #REFRESH}, or at once after a change through this node. A deployment has a handful of
 * templates; reading them all costs one small query per interval, not one per push. Thread-safe.
 */
public final class PushTemplates {
    /** How long a change made on another node may take to reach this node's pushes. */
    public static final Duration REFRESH = Duration.ofSeconds(5);
    /** Templates a deployment may keep. */
    public static final int MAX = 500;

    private final PushStore store;
    private final LongSupplier nanoTime;
    private volatile Map<String, PushTemplate> current = Map.of();
    private volatile long readAt;
    private volatile boolean stale = true;

    public PushTemplates(PushStore store, LongSupplier nanoTime) {
        this.store = store;
        this.nanoTime = nanoTime;
    }

    /** The template of a type, if any; reads the store when the memory is stale (may block). */
    public Optional<PushTemplate> of(String type) {
        long now = nanoTime.getAsLong();
        if (stale || now - readAt >= REFRESH.toNanos()) {
            Map<String, PushTemplate> fresh = new HashMap<>();
            store.templates().forEach(t -> fresh.put(t.type(), t));
            current = Map.copyOf(fresh);
            readAt = now;
            stale = false;
        }
        return Optional.ofNullable(current.get(type));
    }

    public List<PushTemplate> all() {
        return store.templates();
    }

    /**
     * Creates or replaces a template.
     *
     * @throws dev.herald.server.notify.ValidationException when the deployment already has {@link #MAX}
     */
    public void put(PushTemplate template) {
        List<PushTemplate> all = store.templates();
        if (all.size() >= MAX && all.stream().noneMatch(t -> t.type().equals(template.type()))) {
            throw new dev.herald.server.notify.ValidationException("type", "at most " + MAX + " templates; delete one first");
        }
        store.putTemplate(template);
        stale = true;
    }

    public boolean delete(String type) {
        boolean deleted = store.deleteTemplate(type);
        stale = true;
        return deleted;
    }
}
