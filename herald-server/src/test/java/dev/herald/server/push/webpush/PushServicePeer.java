package dev.herald.server.push.webpush;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A push service on 127.0.0.1 for tests, playing the browser's side too: it holds a subscription's
 * key pair and auth secret, decrypts every push itself (RFC 8291/8188 written again here, so a
 * mistake in {@link WebPushEncryptor} is not mirrored), verifies the VAPID token against the
 * {@code k=} key and its own origin, and answers as it is told. What it finds wrong in a request
 * goes into {@link Received#problems()}; the test asserts there are none.
 */
public final class PushServicePeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One push as the peer received it. */
    public record Received(String path, Map<String, List<String>> headers, String plaintext, List<String> problems) {
        /** The decrypted JSON. */
        public JsonNode payload() throws IOException {
            return JSON.readTree(plaintext);
        }

        /** The first value of this header (names are case-insensitive), or null. */
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final KeyPair ua;
    private final byte[] auth = new byte[16];
    private final String subject;
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile int status = 201;
    private volatile Map<String, String> answerHeaders = Map.of();
    private volatile String answerBody = "";
    private volatile boolean hold;
    private final ConcurrentLinkedQueue<Map.Entry<Integer, Map<String, String>>> scripted = new ConcurrentLinkedQueue<>();

    /** @param subject the VAPID {@code sub} every token must carry */
    public PushServicePeer(String subject) throws Exception {
        this.subject = subject;
        SecureRandom random = new SecureRandom();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        ua = generator.generateKeyPair();
        random.nextBytes(auth);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/push/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** An endpoint of this peer, as a push service hands one to a browser. */
    public String endpoint() {
        return endpoint("subscription-1");
    }

    /** Another endpoint of this peer (with the same keys): each device of a test gets its own. */
    public String endpoint(String name) {
        return origin() + "/push/" + name;
    }

    /** The {@code PushSubscription.toJSON()} a browser would register for {@link #endpoint(String)}. */
    public String subscriptionJson(String name) {
        return "{\"endpoint\":\"" + endpoint(name) + "\",\"expirationTime\":null,\"keys\":{\"p256dh\":\"" + p256dh()
                + "\",\"auth\":\"" + auth() + "\"}}";
    }

    /** Answer the next push (only that one) with this status and these headers, before {@link #answer}'s. */
    public void answerOnce(int status, Map<String, String> headers) {
        scripted.add(Map.entry(status, Map.copyOf(headers)));
    }

    public String p256dh() {
        return b64(point((ECPublicKey) ua.getPublic()));
    }

    public String auth() {
        return b64(auth);
    }

    /** Answer every following push with this status, these headers and this body. */
    public void answer(int status, Map<String, String> headers, String body) {
        this.status = status;
        this.answerHeaders = Map.copyOf(headers);
        this.answerBody = body;
    }

    /** Keep every following push waiting, unanswered, until this peer is closed. */
    public void hold() {
        hold = true;
    }

    public List<Received> received() {
        return new ArrayList<>(received);
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            List<String> problems = new ArrayList<>();
            if (!exchange.getRequestMethod().equals("POST")) {
                problems.add("method " + exchange.getRequestMethod());
            }
            checkVapid(exchange.getRequestHeaders().getFirst("Authorization"), problems);
            String plaintext = null;
            try {
                plaintext = new String(decrypt(body), StandardCharsets.UTF_8);
            } catch (Exception e) {
                problems.add("cannot decrypt: " + e);
            }
            received.add(new Received(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()), plaintext,
                    problems));
            if (hold) {
                released.await(30, TimeUnit.SECONDS);
                return;
            }
            Map.Entry<Integer, Map<String, String>> once = scripted.poll();
            if (once != null) {
                once.getValue().forEach(exchange.getResponseHeaders()::add);
                exchange.sendResponseHeaders(once.getKey(), -1);
                return;
            }
            answerHeaders.forEach(exchange.getResponseHeaders()::add);
            byte[] answer = answerBody.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkVapid(String authorization, List<String> problems) {
        if (authorization == null || !authorization.startsWith("vapid t=")) {
            problems.add("Authorization is not vapid t=..., k=...: " + authorization);
            return;
        }
        String[] parts = authorization.substring("vapid ".length()).split(", ");
        if (parts.length != 2 || !parts[0].startsWith("t=") || !parts[1].startsWith("k=")) {
            problems.add("Authorization is not vapid t=..., k=...: " + authorization);
            return;
        }
        try {
            SignedJWT jwt = SignedJWT.parse(parts[0].substring(2));
            ECPublicKey key = publicKey(Base64.getUrlDecoder().decode(parts[1].substring(2)));
            if (!jwt.getHeader().getAlgorithm().getName().equals("ES256") || !jwt.verify(new ECDSAVerifier(key))) {
                problems.add("the VAPID token is not ES256-signed by the k= key");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (!claims.getAudience().equals(List.of(origin()))) {
                problems.add("aud " + claims.getAudience() + " is not " + origin());
            }
            Instant exp = claims.getExpirationTime().toInstant();
            if (!exp.isAfter(Instant.now()) || exp.isAfter(Instant.now().plus(Duration.ofHours(24)))) {
                problems.add("exp " + exp + " is not within the next 24 h");
            }
            if (!subject.equals(claims.getSubject())) {
                problems.add("sub " + claims.getSubject() + " is not " + subject);
            }
        } catch (Exception e) {
            problems.add("unreadable VAPID token: " + e);
        }
    }

    /** RFC 8188 aes128gcm, one record, keys per RFC 8291 section 3.4. */
    private byte[] decrypt(byte[] body) throws Exception {
        ByteBuffer in = ByteBuffer.wrap(body);
        byte[] salt = new byte[16];
        in.get(salt);
        int rs = in.getInt();
        int idlen = in.get() & 0xff;
        if (rs != 4096 || idlen != 65) {
            throw new IllegalStateException("header rs=" + rs + " idlen=" + idlen);
        }
        byte[] asPublic = new byte[idlen];
        in.get(asPublic);
        byte[] ciphertext = new byte[in.remaining()];
        in.get(ciphertext);
        if (ciphertext.length > rs) {
            throw new IllegalStateException("more than one record: " + ciphertext.length);
        }
        KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
        agreement.init(ua.getPrivate());
        agreement.doPhase(publicKey(asPublic), true);
        byte[] ecdhSecret = agreement.generateSecret();
        byte[] uaPublic = point((ECPublicKey) ua.getPublic());
        byte[] keyInfo = concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), uaPublic, asPublic);
        byte[] ikm = hmac(hmac(auth, ecdhSecret), concat(keyInfo, new byte[] {1}));
        byte[] prk = hmac(salt, ikm);
        byte[] cek = Arrays.copyOf(hmac(prk, "Content-Encoding: aes128gcm\0\1".getBytes(StandardCharsets.US_ASCII)), 16);
        byte[] nonce = Arrays.copyOf(hmac(prk, "Content-Encoding: nonce\0\1".getBytes(StandardCharsets.US_ASCII)), 12);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
        byte[] record = cipher.doFinal(ciphertext);
        int end = record.length - 1;
        while (end >= 0 && record[end] == 0) {
            end--;
        }
        if (end < 0 || record[end] != 2) {
            throw new IllegalStateException("the record does not end in the last-record delimiter 0x02");
        }
        return Arrays.copyOf(record, end);
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    static ECPublicKey publicKey(byte[] point) throws Exception {
        if (point.length != 65 || point[0] != 4) {
            throw new IllegalArgumentException("not an uncompressed point");
        }
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec("secp256r1"));
        ECPoint w = new ECPoint(new BigInteger(1, Arrays.copyOfRange(point, 1, 33)), new BigInteger(1, Arrays.copyOfRange(point, 33, 65)));
        return (ECPublicKey) KeyFactory.getInstance("EC")
                .generatePublic(new ECPublicKeySpec(w, parameters.getParameterSpec(ECParameterSpec.class)));
    }

    private static byte[] point(ECPublicKey key) {
        byte[] out = new byte[65];
        out[0] = 4;
        unsigned32(key.getW().getAffineX(), out, 1);
        unsigned32(key.getW().getAffineY(), out, 33);
        return out;
    }

    private static void unsigned32(BigInteger n, byte[] out, int offset) {
        byte[] bytes = n.toByteArray();
        int length = Math.min(bytes.length, 32);
        System.arraycopy(bytes, bytes.length - length, out, offset + 32 - length, length);
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer out = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        Arrays.stream(parts).forEach(out::put);
        return out.array();
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
