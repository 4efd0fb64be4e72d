package dev.herald.server.testing;

import dev.herald.server.delivery.DeliveryHub;
import dev.herald.server.delivery.Session;
import dev.herald.server.delivery.StreamLog;
import dev.herald.server.stream.StreamEvent;
import dev.herald.server.stream.StreamState;

import java.util.List;
import java.util.function.IntConsumer;

/** The parts of a {@link DeliveryHub} a test does not look at: an empty store, no metrics. */
public final class QuietDelivery {
    /** Every stream is empty: subscriptions go live at once. */
    public static final StreamLog EMPTY_LOG = new StreamLog() {
        @Override
        public StreamState state(String stream) {
            return StreamState.EMPTY;
        }

        @Override
        public List<StreamEvent> readSince(String stream, long afterSeq, int limit) {
            return List.of();
        }
    };

    /** Observes nothing. */
    public static final DeliveryHub.DeliveryListener NO_LISTENER = onFellBehind(resynchronized -> { });

    /** Observes only the event loops that fall behind, handing {@code observer} each one's resynchronized count. */
    public static DeliveryHub.DeliveryListener onFellBehind(IntConsumer observer) {
        return new DeliveryHub.DeliveryListener() {
            @Override
            public void delivered(StreamEvent event, boolean live) {
            }

            @Override
            public void slowConsumer(Session session) {
            }

            @Override
            public void fellBehind(int resynchronized) {
                observer.accept(resynchronized);
            }
        };
    }

    private QuietDelivery() {
    }
}
