package dev.herald.server.transport.web;

import dev.herald.server.testing.Api;
import dev.herald.server.testing.HeraldNodeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The web pages and /herald.js as served from the JAR's resources, over real HTTP. */
class StaticEndpointTest {
    @RegisterExtension
    static final HeraldNodeExtension node = new HeraldNodeExtension();

    private static String header(Api.Reply reply, String name) {
        return reply.headers().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
    }

    /** Sends the request line exactly as written (no client-side path normalisation). */
    private static String raw(String requestLine) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", node.server().port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void thePagesAndTheClientAreServedWithTheirContentTypes() {
        Map<String, String> expected = Map.of(
                "/", "text/html; charset=utf-8",
                "/test-notifications", "text/html; charset=utf-8",
                "/herald.js", "text/javascript; charset=utf-8",
                "/herald.d.ts", "text/plain; charset=utf-8",
                "/herald-sw.js", "text/javascript; charset=utf-8",
                "/assets/app.css", "text/css; charset=utf-8",
                "/assets/app.js", "text/javascript; charset=utf-8");
        expected.forEach((path, type) -> {
            Api.Reply reply = node.server().api.get(path);
            assertThat(reply.status()).as(path).isEqualTo(200);
            assertThat(header(reply, "content-type")).as(path).isEqualTo(type);
            assertThat(header(reply, "x-content-type-options")).as(path).isEqualTo("nosniff");
        });
        assertThat(node.server().api.get("/").body()).contains("<title>Herald demo</title>");
        assertThat(header(node.server().api.get("/"), "content-security-policy")).contains("default-src 'self'");
    }

    @Test
    void heraldJsIsTheSameFileAsTheClientInClientsJs() throws IOException {
        Path source = Path.of("..", "clients", "js", "herald.js");
        assertThat(node.server().api.get("/herald.js").body()).isEqualTo(Files.readString(source));
    }

    @Test
    void anUnchangedFileIsAnswered304ForItsETag() {
        Api.Reply first = node.server().api.get("/herald.js");
        String etag = header(first, "etag");
        assertThat(etag).matches("\"[0-9a-f]{32}\"");
        Api.Reply again = node.server().api.send("GET", "/herald.js", null, Map.of("If-None-Match", etag));
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        Api.Reply other = node.server().api.send("GET", "/herald.js", null, Map.of("If-None-Match", "\"something-else\""));
        assertThat(other.status()).isEqualTo(200);
        assertThat(header(node.server().api.get("/"), "etag")).isNotEqualTo(etag);
    }

    @Test
    void aMissingAssetIsAJson404() {
        Api.Reply reply = node.server().api.get("/assets/nope.js");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.json().get("error").asText()).isEqualTo("no such file: /assets/nope.js");
        assertThat(node.server().api.get("/assets/app.exe").status()).isEqualTo(404);
        assertThat(node.server().api.get("/assets/").status()).isEqualTo(404);
    }

    @Test
    void noPathEscapesTheWebFolder() throws IOException {
        for (String path : List.of("/assets/../../logback.xml", "/assets/..%2f..%2flogback.xml", "/assets/%2e%2e/index.html",
                "/assets/../index.html", "/assets/.hidden.js", "/assets/sub/app.js", "/assets//etc/passwd",
                "/assets/..\\logback.xml", "/../logback.xml", "/assets/../../dev/herald/server/HeraldServer.class")) {
            String answer = raw("GET " + path + " HTTP/1.1");
            assertThat(answer).as(path).startsWith("HTTP/1.1 404");
            assertThat(answer).as(path).doesNotContain("<configuration").doesNotContain("<!doctype");
        }
    }

    @Test
    void onlyGetAndHeadAreAllowed() throws IOException {
        Api.Reply post = node.server().api.send("POST", "/", "{}", Map.of());
        assertThat(post.status()).isEqualTo(405);
        assertThat(header(post, "allow")).isEqualTo("GET, HEAD");
        String head = raw("HEAD /herald.js HTTP/1.1");
        assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: "
                + Files.size(Path.of("..", "clients", "js", "herald.js")));
        assertThat(head.substring(head.indexOf("\r\n\r\n") + 4)).isEmpty();
    }

    @Test
    void pathsThatAreNotPagesStillReachTheApi() {
        assertThat(node.server().api.get("/healthz").status()).isEqualTo(200);
        assertThat(node.server().api.get("/nope").json().get("error").asText()).isEqualTo("no such endpoint: /nope");
    }
}
