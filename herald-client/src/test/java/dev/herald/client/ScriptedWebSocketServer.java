package dev.herald.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A minimal WebSocket server on loopback (RFC 6455 handshake, unfragmented text and close
 * frames) that plays frames a test scripts, to show the client frames a real node never sends
 * (a seq twice). Each accepted connection is handed to the test with the request line it sent.
 */
final class ScriptedWebSocketServer implements AutoCloseable {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** One accepted WebSocket. */
    static final class Connection {
        final String requestLine;
        /** The text frames the client sent, in order. */
        final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        private final Socket socket;
        private final OutputStream out;

        Connection(String requestLine, Socket socket) throws IOException {
            this.requestLine = requestLine;
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        /** The next text frame from the client whose JSON type is {@code type}, waiting at most 10 s. */
        String nextOfType(String type) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                String f = received.poll(100, TimeUnit.MILLISECONDS);
                if (f != null && f.contains("\"type\":\"" + type + "\"")) {
                    return f;
                }
            }
            throw new AssertionError("no " + type + " frame from the client within 10 s");
        }

        void sendText(String text) throws IOException {
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            out.write(0x81);
            if (payload.length < 126) {
                out.write(payload.length);
            } else {
                out.write(126);
                out.write(payload.length >>> 8);
                out.write(payload.length & 0xff);
            }
            out.write(payload);
            out.flush();
        }

        void sendClose(int code, String reason) throws IOException {
            byte[] r = reason.getBytes(StandardCharsets.UTF_8);
            out.write(0x88);
            out.write(2 + r.length);
            out.write(code >>> 8);
            out.write(code & 0xff);
            out.write(r);
            out.flush();
        }

        void drop() throws IOException {
            socket.close();
        }
    }

    private final ServerSocket server;
    private final LinkedBlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    ScriptedWebSocketServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "scripted-ws-accept");
        t.setDaemon(true);
        t.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** The next connection, waiting at most 10 s. */
    Connection next() throws InterruptedException {
        Connection c = accepted.poll(10, TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("no WebSocket connection within 10 s");
        }
        return c;
    }

    /** How many connections arrive within {@code millis} (bounded wait). */
    int connectionsWithin(long millis) throws InterruptedException {
        int n = 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            if (accepted.poll(50, TimeUnit.MILLISECONDS) != null) {
                n++;
            }
        }
        return n;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                String requestLine = in.readLine();
                String key = null;
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    if (line.toLowerCase().startsWith("sec-websocket-key:")) {
                        key = line.substring(line.indexOf(':') + 1).trim();
                    }
                }
                String accept = Base64.getEncoder().encodeToString(
                        MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1)));
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                Connection c = new Connection(requestLine, s);
                read(s.getInputStream(), c);
                accepted.add(c);
            } catch (Exception e) {
                return; // closed
            }
        }
    }

    // Reads the client's frames (masked, as RFC 6455 requires of clients); keeps the text ones.
    private static void read(InputStream in, Connection c) {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    int b0 = in.read();
                    int b1 = in.read();
                    if (b0 < 0 || b1 < 0) {
                        return;
                    }
                    long len = b1 & 0x7f;
                    if (len == 126) {
                        len = (in.read() << 8) | in.read();
                    } else if (len == 127) {
                        len = 0;
                        for (int i = 0; i < 8; i++) {
                            len = (len << 8) | in.read();
                        }
                    }
                    byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : new byte[4];
                    byte[] payload = in.readNBytes((int) len);
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] ^= mask[i % 4];
                    }
                    if ((b0 & 0x0f) == 1) {
                        c.received.add(new String(payload, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException closed) {
                // done
            }
        }, "scripted-ws-reader");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
