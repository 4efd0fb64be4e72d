package dev.herald.server.transport.http;

import dev.herald.server.transport.ApiException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.auth.Principal;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A request as route handlers see it: already read, detached from Netty buffers, so handlers
 * can run on any thread.
 *
 * @param pathParams values of the route's {@code {name}} segments
 * @param principal  the authenticated user on user routes, else null
 */
public record ApiRequest(HttpMethod method, String path, Map<String, String> pathParams,
                         Map<String, List<String>> query, HttpHeaders headers, byte[] body,
                         Principal principal) {

    public String pathParam(String name) {
        return pathParams.get(name);
    }

    /** The first value of a query parameter, or null. */
    public String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The body parsed as JSON; 400 when it is empty or not JSON. */
    public JsonNode jsonBody(ObjectMapper mapper) {
        if (body.length == 0) {
            throw ApiException.badRequest("request body required: a JSON object");
        }
        try {
            return mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("request body is not valid JSON");
        }
    }

    public Principal requirePrincipal() {
        if (principal == null) {
            throw new IllegalStateException("route is not a user route");
        }
        return principal;
    }
}
