/**
 * The delivery core: {@link DeliveryHub} (who follows which stream on which loop),
 * {@link StreamSubscription} (the resume cursor), {@link LoopDispatcher} (fanout), the session
 * registry, and {@link Session}, which every transport adapts to. It never sees a transport.
 *
 * <p>May depend on {@code broker} and {@code stream}. Read docs/CONCURRENCY.md before changing it.
 */
package dev.herald.server.delivery;
