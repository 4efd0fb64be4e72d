package dev.herald.client;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;

/**
 * A set of listeners of one kind: adding the same listener twice registers it once, as in
 * herald.js. Add and remove from any thread; {@link #each} runs on the event thread, calling
 * every listener in its own try so one that throws does not keep the others from their event.
 */
final class Listeners<T> {
    private final CopyOnWriteArrayList<T> list = new CopyOnWriteArrayList<>();

    Registration add(T listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener: required");
        }
        list.addIfAbsent(listener);
        return () -> list.remove(listener);
    }

    /** Only on the event thread. */
    void each(Consumer<T> call) {
        for (T listener : list) {
            try {
                call.accept(listener);
            } catch (Throwable t) {
                EventDispatcher.LOG.log(Level.WARNING, "a Herald client listener (" + listener.getClass().getName() + ") threw; ignored", t);
            }
        }
    }
}
