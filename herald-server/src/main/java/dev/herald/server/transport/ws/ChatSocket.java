package dev.herald.server.transport.ws;

import dev.herald.server.chat.ChatService;
import dev.herald.server.chat.presence.PresenceTracker;
import dev.herald.server.transport.TransportContext;

/**
 * The {@code /ws/chat} endpoint (story 3's messaging socket): any authenticated user may open
 * it; what they may do there is checked per conversation, frame by frame. The protocol is in
 * {@code docs/chat-protocol.md}.
 */
public final class ChatSocket {
    public static final String PATH = "/ws/chat";

    private ChatSocket() {
    }

    public static WsEndpoint endpoint(TransportContext context, ChatService chat, PresenceTracker presence) {
        return new WsEndpoint(PATH, context, (principal, query) -> new WsChatHandler(context, principal, chat, presence));
    }
}
