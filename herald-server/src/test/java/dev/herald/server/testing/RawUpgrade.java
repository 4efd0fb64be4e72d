package dev.herald.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Sends a WebSocket upgrade request over a raw socket and reads the HTTP answer, so tests can
 * see refusals (status and JSON body) that WebSocket clients hide.
 */
public final class RawUpgrade {
    /** The server's answer to an upgrade request. */
    public record Answer(int status, String body) {
    }

    private RawUpgrade() {
    }

    public static Answer request(int port, String pathAndQuery, Map<String, String> headers) {
        StringBuilder req = new StringBuilder()
                .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        return raw(port, req.toString());
    }

    /** Sends a hand-written request (headers and blank line included) and reads the answer. */
    public static Answer raw(int port, String request) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0) {
                all.write(buf, 0, n);
                String text = all.toString(StandardCharsets.UTF_8);
                int headerEnd = text.indexOf("\r\n\r\n");
                if (headerEnd > 0 && text.startsWith("HTTP/1.1 101")) {
                    return new Answer(101, "");
                }
                if (headerEnd > 0) {
                    int length = contentLength(text.substring(0, headerEnd));
                    if (text.length() - headerEnd - 4 >= length) {
                        return new Answer(Integer.parseInt(text.substring(9, 12)), text.substring(headerEnd + 4));
                    }
                }
            }
            String text = all.toString(StandardCharsets.UTF_8);
            int headerEnd = text.indexOf("\r\n\r\n");
            return new Answer(Integer.parseInt(text.substring(9, 12)), headerEnd < 0 ? "" : text.substring(headerEnd + 4));
        } catch (IOException e) {
            throw new AssertionError("upgrade request failed: " + e, e);
        }
    }

    private static int contentLength(String headers) {
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).strip());
            }
        }
        return 0;
    }
}
