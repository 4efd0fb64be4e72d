package dev.herald.client;

/** Returned when a listener is added; {@link #remove()} removes it (again: no effect). */
@FunctionalInterface
public interface Registration {
    void remove();
}
