package dev.herald.server.api;

import dev.herald.server.transport.http.ApiRequest;
import dev.herald.server.transport.http.ApiResponse;
import dev.herald.server.transport.http.Route;
import dev.herald.server.transport.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Principal;
import dev.herald.server.chat.ChatError;
import dev.herald.server.chat.ChatException;
import dev.herald.server.chat.ChatFrames;
import dev.herald.server.chat.ChatMessage;
import dev.herald.server.chat.ChatService;
import dev.herald.server.chat.ChatStore;
import dev.herald.server.chat.ConversationKind;
import dev.herald.server.chat.ConversationSummary;
import dev.herald.server.chat.CreationQuota;
import dev.herald.server.chat.ReadResult;
import dev.herald.server.chat.SendRequest;
import dev.herald.server.chat.SendResult;
import dev.herald.server.notify.ValidationException;
import dev.herald.server.chat.presence.PresenceTracker;
import dev.herald.server.chat.presence.PresenceView;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.herald.server.transport.http.Route.Access.API_KEY;
import static dev.herald.server.transport.http.Route.Access.USER;

/**
 * The chat API: conversations, history, sending and read markers for users; creating
 * conversations and reading presence for app backends. Handlers parse, call
 * {@link ChatService} or {@link PresenceTracker}, and shape the answer. A conversation the
 * caller is not a member of answers 404, exactly like one that does not exist.
 */
public final class ChatRoutes {
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_PRESENCE_USERS = 200;
    /** The body of a send; a message type that is not a string has always been a 400 here. */
    private static final SendRequest.Names SEND_FIELDS =
            new SendRequest.Names("conversation_id", "client_id", "message_type", true);
    /**
     * The HTTP status of each chat refusal, by its {@link ChatError} code. A 400 carries the
     * offending field ({@link ValidationException}); an unknown code is a 500, like any bug.
     */
    private static final Map<String, HttpResponseStatus> STATUS = Map.of(
            ChatException.Code.CONVERSATION_NOT_FOUND.wire(), HttpResponseStatus.NOT_FOUND,
            ChatException.Code.MESSAGE_NOT_FOUND.wire(), HttpResponseStatus.NOT_FOUND,
            ChatException.Code.RATE_LIMITED.wire(), HttpResponseStatus.TOO_MANY_REQUESTS,
            ChatException.Code.INVALID_FIELD.wire(), HttpResponseStatus.BAD_REQUEST,
            ChatException.Code.CONTENT_TOO_LONG.wire(), HttpResponseStatus.BAD_REQUEST);

    private final ChatService chat;
    private final PresenceTracker presence;
    private final ObjectMapper json;
    private final CreationQuota quota;

    public ChatRoutes(ChatService chat, PresenceTracker presence, ObjectMapper json, CreationQuota quota) {
        this.chat = chat;
        this.presence = presence;
        this.json = json;
        this.quota = quota;
    }

    public List<Route> routes() {
        return List.of(
                Route.post("/api/v1/conversations", USER, guarded(this::createAsUser)),
                Route.get("/api/v1/me/conversations", USER, guarded(this::list)),
                Route.get("/api/v1/conversations/{id}/messages", USER, guarded(this::history)),
                Route.post("/api/v1/conversations/{id}/messages", USER, guarded(this::send)),
                Route.post("/api/v1/conversations/{id}/read", USER, guarded(this::read)),
                Route.post("/api/v1/backend/conversations", API_KEY, guarded(this::createAsBackend)),
                Route.get("/api/v1/presence", API_KEY, guarded(this::presence)));
    }

    /**
     * Answers the service's refusals as HTTP ({@link #refusal}). Only {@link ChatException}s: a
     * store outage and a bug are the router's to answer (503, 500), as on every route.
     */
    private static Route.Handler guarded(Route.Handler handler) {
        return request -> {
            try {
                return handler.handle(request);
            } catch (ChatException e) {
                throw refusal(ChatError.of(e));
            }
        };
    }

    /** A chat error as HTTP: 404 not found or not a member, 429, 400 naming the field ({@link #STATUS}). */
    static RuntimeException refusal(ChatError error) {
        HttpResponseStatus status = STATUS.getOrDefault(error.code(), HttpResponseStatus.INTERNAL_SERVER_ERROR);
        if (status.equals(HttpResponseStatus.BAD_REQUEST)) {
            String field = error.field() == null ? "body" : error.field();
            String m = error.message();
            return new ValidationException(field, m.startsWith(field + ": ") ? m.substring(field.length() + 2) : m);
        }
        return new ApiException(status, status.equals(HttpResponseStatus.INTERNAL_SERVER_ERROR) ? "internal error"
                : error.message());
    }

    private ApiResponse createAsUser(ApiRequest request) {
        if (!quota.allowsUsers()) {
            throw ApiException.forbidden("users may not create conversations on this server; the app backend creates them");
        }
        return create(request, request.requirePrincipal().userId());
    }

    private ApiResponse createAsBackend(ApiRequest request) {
        return create(request, null);
    }

    private ApiResponse create(ApiRequest request, String creator) {
        JsonNode body = object(request);
        JsonNode kindNode = body.get("kind");
        if (kindNode == null || !kindNode.isTextual()) {
            throw new ValidationException("kind", "required: direct or group");
        }
        ConversationKind kind;
        try {
            kind = ConversationKind.fromWire(kindNode.asText());
        } catch (IllegalArgumentException e) {
            throw new ValidationException("kind", "must be direct or group");
        }
        JsonNode membersNode = body.get("members");
        if (membersNode == null || !membersNode.isArray() || membersNode.isEmpty()) {
            throw new ValidationException("members", "required: a non-empty array of user ids");
        }
        if (membersNode.size() > ChatService.MAX_GROUP_MEMBERS) {
            throw new ValidationException("members", "at most " + ChatService.MAX_GROUP_MEMBERS + " members");
        }
        List<String> members = new ArrayList<>();
        for (int i = 0; i < membersNode.size(); i++) {
            JsonNode m = membersNode.get(i);
            if (!m.isTextual() && !m.isIntegralNumber()) {
                throw new ValidationException("members[" + i + "]", "must be a user id (string or integer)");
            }
            members.add(m.asText());
        }
        JsonNode titleNode = body.get("title");
        if (titleNode != null && !titleNode.isNull() && !titleNode.isTextual()) {
            throw new ValidationException("title", "must be a string");
        }
        String title = titleNode == null || titleNode.isNull() ? null : titleNode.asText();
        if (creator != null) {
            quota.take(creator); // after validation: a malformed request costs nothing
        }
        ChatStore.Created created = chat.createConversation(creator, kind, members, title);
        ObjectNode answer = json.createObjectNode();
        answer.set("conversation", ChatFrames.conversationObject(created.conversation()));
        answer.put("created", created.created());
        return created.created() ? ApiResponse.created(answer) : ApiResponse.ok(answer);
    }

    private ApiResponse list(ApiRequest request) {
        int limit = intParam(request, "limit", DEFAULT_LIMIT, 1, chat.settings().historyMaxLimit());
        List<ConversationSummary> rows = chat.conversations(request.requirePrincipal().userId(), limit);
        ObjectNode answer = json.createObjectNode();
        ArrayNode items = answer.putArray("conversations");
        long totalUnread = 0;
        for (ConversationSummary s : rows) {
            ObjectNode item = ChatFrames.conversationObject(s.conversation());
            item.set("last_message", s.lastMessage() == null ? null : ChatFrames.messageObject(s.lastMessage()));
            item.put("last_read_seq", s.lastReadSeq());
            item.put("unread_count", s.unread());
            items.add(item);
            totalUnread += s.unread();
        }
        answer.put("unread_total", totalUnread);
        return ApiResponse.ok(answer);
    }

    private ApiResponse history(ApiRequest request) {
        Principal user = request.requirePrincipal();
        long id = conversationId(request);
        int limit = intParam(request, "limit", DEFAULT_LIMIT, 1, chat.settings().historyMaxLimit());
        long before = Long.MAX_VALUE;
        String raw = request.queryParam("before");
        if (raw != null && !raw.isEmpty()) {
            before = parseSeq(raw, "before");
            if (before < 1) {
                throw new ValidationException("before", "must be a seq >= 1");
            }
        }
        List<ChatMessage> page = chat.history(user.userId(), id, before, limit);
        Map<Long, Map<String, List<String>>> reactions = chat.reactions(page.stream().map(ChatMessage::id).toList());
        ObjectNode answer = json.createObjectNode();
        answer.put("conversation_id", id);
        ArrayNode items = answer.putArray("messages");
        for (ChatMessage m : page) {
            ObjectNode item = ChatFrames.messageObject(m);
            item.set("reactions", json.valueToTree(reactions.getOrDefault(m.id(), Map.of())));
            items.add(item);
        }
        boolean more = page.size() == limit && page.get(0).seq() > 1;
        if (more) {
            answer.put("next_before", page.get(0).seq());
        } else {
            answer.putNull("next_before");
        }
        return ApiResponse.ok(answer);
    }

    private ApiResponse send(ApiRequest request) {
        Principal user = request.requirePrincipal();
        SendRequest send = SendRequest.parse(conversationId(request), object(request), SEND_FIELDS);
        SendResult r = chat.send(user.userId(), user.name(), send);
        ObjectNode answer = json.createObjectNode();
        answer.set("message", ChatFrames.messageObject(r.message()));
        answer.put("replayed", r.replayed());
        return r.replayed() ? ApiResponse.ok(answer) : ApiResponse.created(answer);
    }

    private ApiResponse read(ApiRequest request) {
        Principal user = request.requirePrincipal();
        long id = conversationId(request);
        long seq = Long.MAX_VALUE;
        if (request.body().length > 0) {
            JsonNode body = object(request);
            JsonNode s = body.get("seq");
            if (s != null && !s.isNull()) {
                if (!s.isIntegralNumber() || s.asLong() < 0) {
                    throw new ValidationException("seq", "must be a seq >= 0");
                }
                seq = s.asLong();
            }
        }
        ReadResult r = chat.markRead(user.userId(), id, seq);
        return ApiResponse.ok(Map.of("conversation_id", id, "last_read_seq", r.lastReadSeq(),
                "unread_count", r.unread()));
    }

    private ApiResponse presence(ApiRequest request) {
        String raw = request.queryParam("users");
        if (raw == null || raw.isBlank()) {
            throw new ValidationException("users", "required: comma-separated user ids, e.g. users=1,2");
        }
        Set<String> ids = new LinkedHashSet<>();
        for (String id : raw.split(",")) {
            String u = id.strip();
            if (u.isEmpty()) {
                continue;
            }
            if (!ChatService.USER_ID.matcher(u).matches()) {
                throw new ValidationException("users", "'" + u + "' is not a user id");
            }
            ids.add(u);
        }
        if (ids.isEmpty() || ids.size() > MAX_PRESENCE_USERS) {
            throw new ValidationException("users", "1-" + MAX_PRESENCE_USERS + " user ids");
        }
        ObjectNode answer = json.createObjectNode();
        ArrayNode items = answer.putArray("users");
        for (PresenceView p : presence.presence(ids)) {
            items.addObject()
                    .put("user_id", p.userId())
                    .put("online", p.online())
                    .put("status", p.status())
                    .put("last_seen", p.lastSeen() == null ? null : DateTimeFormatter.ISO_INSTANT.format(p.lastSeen()));
        }
        return ApiResponse.ok(answer);
    }

    private ObjectNode object(ApiRequest request) {
        if (!(request.jsonBody(json) instanceof ObjectNode body)) {
            throw new ValidationException("body", "must be a JSON object");
        }
        return body;
    }

    private static long conversationId(ApiRequest request) {
        String raw = request.pathParam("id");
        long id = raw.matches("[0-9]{1,18}") ? Long.parseLong(raw) : 0;
        if (id < 1) {
            // Not a conversation id at all: the same 404 as any conversation one may not see.
            throw ApiException.notFound("no conversation " + raw + " that you are a member of");
        }
        return id;
    }

    private static long parseSeq(String raw, String field) {
        if (!raw.matches("[0-9]{1,18}")) {
            throw new ValidationException(field, "must be a seq >= 1");
        }
        return Long.parseLong(raw);
    }

    private static int intParam(ApiRequest request, String name, int dflt, int min, int max) {
        String raw = request.queryParam(name);
        if (raw == null || raw.isEmpty()) {
            return dflt;
        }
        if (!raw.matches("-?[0-9]{1,9}")) {
            throw new ValidationException(name, "must be an integer " + min + ".." + max);
        }
        int v = Integer.parseInt(raw);
        if (v < min || v > max) {
            throw new ValidationException(name, "must be " + min + ".." + max);
        }
        return v;
    }
}
