package dev.herald.client;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

/**
 * herald.js's typing debounce, so that {@link Chat#typing} can be called on every keystroke:
 * {@code typing} is sent once per typing state and repeated every 4 s while the user keeps
 * typing (Herald forgets a typing state after 5 s); {@code stop_typing} is sent after the
 * typing-idle time without a call, or on {@link Chat#stopTyping}, and not at all when a message
 * is sent (the message ends the typing state on the server). Only on the client's loop thread.
 */
final class TypingIndicator {
    static final long KEEPALIVE_MILLIS = 4000;

    private final ClientRuntime rt;
    private final SocketLink link;
    private final Map<Long, State> typing = new HashMap<>();

    private static final class State {
        ScheduledFuture<?> idle;
        ScheduledFuture<?> keepalive;
    }

    TypingIndicator(ClientRuntime rt, SocketLink link) {
        this.rt = rt;
        this.link = link;
    }

    void typing(long conversationId) {
        State state = typing.get(conversationId);
        if (state == null) {
            State fresh = new State();
            typing.put(conversationId, fresh);
            link.send(Json.frame("typing").put("conversation_id", conversationId));
            keepAlive(conversationId, fresh);
            state = fresh;
        }
        if (state.idle != null) {
            state.idle.cancel(false);
        }
        State current = state;
        state.idle = rt.schedule(() -> {
            if (typing.get(conversationId) == current) {
                stop(conversationId);
            }
        }, rt.config.typingIdle().toMillis());
    }

    /** Ends the typing state, telling the others. */
    void stop(long conversationId) {
        if (clear(conversationId)) {
            link.send(Json.frame("stop_typing").put("conversation_id", conversationId));
        }
    }

    /** Ends the typing state silently (a message was sent, or the socket stopped); whether there was one. */
    boolean clear(long conversationId) {
        State state = typing.remove(conversationId);
        if (state == null) {
            return false;
        }
        cancel(state.idle);
        cancel(state.keepalive);
        return true;
    }

    void clearAll() {
        for (Long id : typing.keySet().toArray(new Long[0])) {
            clear(id);
        }
    }

    private void keepAlive(long conversationId, State state) {
        state.keepalive = rt.schedule(() -> {
            if (typing.get(conversationId) == state) {
                link.send(Json.frame("typing").put("conversation_id", conversationId));
                keepAlive(conversationId, state);
            }
        }, KEEPALIVE_MILLIS);
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
