package dev.herald.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A raw TCP connection speaking hand-written HTTP/1.1, for tests that attack the edge: bad
 * escapes, pipelining, partial requests, silence. Every read has a timeout. Close it.
 */
public final class RawHttp implements AutoCloseable {
    /** One parsed answer. */
    public record Response(int status, String headers, String body) {
        public String header(String name) {
            for (String line : headers.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public static RawHttp connect(int port) {
        return connect("127.0.0.1", port);
    }

    /** Connects from the given loopback source address (e.g. 127.0.0.2) to 127.0.0.1. */
    public static RawHttp connect(String sourceAddress, int port) {
        try {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(InetAddress.getByName(sourceAddress), 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            return new RawHttp(s);
        } catch (IOException e) {
            throw new AssertionError("cannot connect to 127.0.0.1:" + port + ": " + e, e);
        }
    }

    public RawHttp send(String text) {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    public RawHttp send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new AssertionError("write failed: " + e, e);
        }
    }

    /** Writes without failing the test when the server already closed (returns false then). */
    public boolean trySend(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A request with a body, e.g. {@code request("POST", "/x", "text/plain", body)}. */
    public static byte[] request(String method, String target, String contentType, byte[] body, String... headers) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        if (java.util.Arrays.stream(headers).noneMatch(h -> h.regionMatches(true, 0, "Host:", 0, 5))) {
            head.append("Host: 127.0.0.1\r\n");
        }
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    public static byte[] get(String target, String... headers) {
        return request("GET", target, null, new byte[0], headers);
    }

    /** Reads the next complete response (Content-Length framed), waiting at most {@code timeoutMillis}. */
    public Response read(int timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        byte[] buf = new byte[8192];
        try {
            while (true) {
                Response r = parse();
                if (r != null) {
                    return r;
                }
                int left = (int) Math.max(1, deadline - System.currentTimeMillis());
                if (System.currentTimeMillis() >= deadline) {
                    throw new AssertionError("no complete response within " + timeoutMillis + " ms; got: " + pending);
                }
                socket.setSoTimeout(left);
                int n = in.read(buf);
                if (n < 0) {
                    throw new AssertionError("connection closed before a complete response; got: " + pending);
                }
                pending.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no complete response within " + timeoutMillis + " ms; got: " + pending);
        } catch (IOException e) {
            throw new AssertionError("read failed: " + e + "; got: " + pending, e);
        }
    }

    /** Reads until the server closes the connection; returns how long that took, or -1 on timeout. */
    public long awaitEof(int timeoutMillis) {
        long start = System.nanoTime();
        byte[] buf = new byte[8192];
        try {
            socket.setSoTimeout(timeoutMillis);
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    return (System.nanoTime() - start) / 1_000_000;
                }
                pending.write(buf, 0, n);
                if ((System.nanoTime() - start) / 1_000_000 > timeoutMillis) {
                    return -1;
                }
            }
        } catch (SocketTimeoutException e) {
            return -1;
        } catch (IOException e) { // reset counts as closed
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    /** Everything read so far that is not part of a returned response. */
    public String unread() {
        return pending.toString(StandardCharsets.UTF_8);
    }

    private Response parse() {
        byte[] bytes = pending.toByteArray();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return null;
        }
        String head = text.substring(0, end);
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        if (bytes.length < end + 4 + length) {
            return null;
        }
        String body = new String(bytes, end + 4, length, StandardCharsets.UTF_8);
        pending.reset();
        pending.write(bytes, end + 4 + length, bytes.length - end - 4 - length);
        int status = Integer.parseInt(head.substring(9, 12));
        return new Response(status, head, body);
    }

    /** Reads {@code n} responses in order. */
    public List<Response> read(int n, int timeoutMillis) {
        List<Response> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(read(timeoutMillis));
        }
        return all;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
