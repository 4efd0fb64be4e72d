package dev.herald.server.api;

import dev.herald.server.notify.PublishCommand;
import dev.herald.server.stream.Streams;
import dev.herald.server.transport.ApiException;
import dev.herald.server.transport.http.ApiRequest;

/** The user an app backend's route names in its path ({@code /api/v1/users/{id}/...}). */
final class Users {
    private Users() {
    }

    /** The stream of the path's {@code {id}}; 400 when it is not a user id. */
    static String stream(ApiRequest request) {
        String id = request.pathParam("id");
        if (!PublishCommand.USER_ID.matcher(id).matches()) {
            throw ApiException.badRequest("id: user ids are 1-128 characters of letters, digits and _ . @ : -");
        }
        return Streams.user(id);
    }
}
