package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSink;

/**
 * One HTTP exchange with Herald's API: JSON in, JSON out, and every non-2xx answer mapped once
 * to a typed {@link HeraldException} from Herald's {@code {"error", "field"}} body. Blocking, on
 * the caller's thread; thread-safe.
 */
final class HttpTransport {
    static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

    private final OkHttpClient http;

    HttpTransport(OkHttpClient http) {
        this.http = http;
    }

    /**
     * A JSON body marked one-shot: OkHttp itself then never sends a request again (it would
     * repeat one on a 503 with {@code Retry-After: 0}), so only our own rules decide what is
     * retried. Our retries reuse the same bytes.
     */
    static RequestBody body(byte[] json) {
        return new RequestBody() {
            @Override
            public MediaType contentType() {
                return JSON;
            }

            @Override
            public long contentLength() {
                return json.length;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.write(json);
            }

            @Override
            public boolean isOneShot() {
                return true;
            }
        };
    }

    /** The parsed body of a 2xx answer ({@link NullNode} when empty). */
    JsonNode execute(Request request) {
        try (Response response = http.newCall(request).execute()) {
            ResponseBody body = response.body();
            String text = body == null ? "" : body.string();
            if (response.isSuccessful()) {
                return text.isEmpty() ? NullNode.getInstance() : Json.parse(text);
            }
            throw refusal(response.code(), text, response.header("Retry-After"));
        } catch (IOException e) {
            throw HeraldException.transport("no answer from " + request.method() + " " + request.url().encodedPath() + ": " + e, e);
        }
    }

    /** A non-2xx answer as a typed exception. */
    static HeraldException refusal(int status, String body, String retryAfterHeader) {
        String error = null;
        String field = null;
        try {
            JsonNode json = body == null || body.isEmpty() ? NullNode.getInstance() : Json.parse(body);
            error = json.path("error").asText(null);
            field = json.path("field").asText(null);
        } catch (IOException notJson) {
            // a proxy's page: keep the status only
        }
        return HeraldException.ofStatus(status, error, field, retryAfter(retryAfterHeader));
    }

    static Duration retryAfter(String header) {
        if (header == null) {
            return null;
        }
        try {
            long seconds = Long.parseLong(header.trim());
            return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException httpDate) {
            return null;
        }
    }
}
