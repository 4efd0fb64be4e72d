package dev.herald.server.push.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class WebPushEncryptorTest {
    /** RFC 8291 Appendix A, with the line breaks of the RFC removed. */
    static final String PLAINTEXT = "When I grow up, I want to be a watermelon";
    static final String AS_PUBLIC = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    static final String AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    static final String UA_PUBLIC = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    static final String UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    static final String SALT = "DGv6ra1nlYgDCS1FRnbzlw";
    static final String AUTH_SECRET = "BTBZMqHH6r4Tts7J_aSIgg";
    static final String BODY = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml"
            + "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT"
            + "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    @Test
    void theRfc8291AppendixAExampleIsReproducedByteForByte() {
        KeyPair ephemeral = new KeyPair(P256.publicKey(b64(AS_PUBLIC)), P256.privateKey(b64(AS_PRIVATE)));

        byte[] body = WebPushEncryptor.encrypt(PLAINTEXT.getBytes(StandardCharsets.UTF_8), P256.publicKey(b64(UA_PUBLIC)),
                b64(AUTH_SECRET), b64(SALT), ephemeral);

        assertThat(Base64.getUrlEncoder().withoutPadding().encodeToString(body)).isEqualTo(BODY);
    }

    @Test
    void eachMessageHasItsOwnSaltAndEphemeralKeyAndTheLargestPlaintextFillsOneRecord() throws Exception {
        WebPushEncryptor encryptor = new WebPushEncryptor(seeded(1));
        ECPublicKey ua = P256.publicKey(b64(UA_PUBLIC));
        byte[] largest = new byte[WebPushEncryptor.MAX_PLAINTEXT];

        byte[] first = encryptor.encrypt(largest, ua, b64(AUTH_SECRET));
        byte[] second = encryptor.encrypt(largest, ua, b64(AUTH_SECRET));

        assertThat(WebPushEncryptor.MAX_PLAINTEXT).isEqualTo(3993);
        assertThat(first).hasSize(WebPushEncryptor.RECORD_SIZE);
        assertThat(Arrays.copyOf(first, 16)).isNotEqualTo(Arrays.copyOf(second, 16));
        assertThat(Arrays.copyOfRange(first, 21, 86)).isNotEqualTo(Arrays.copyOfRange(second, 21, 86));
    }

    @Test
    void aPlaintextOverOneRecordIsRefused() throws Exception {
        WebPushEncryptor encryptor = new WebPushEncryptor(seeded(2));

        assertThatThrownBy(() -> encryptor.encrypt(new byte[3994], P256.publicKey(b64(UA_PUBLIC)), b64(AUTH_SECRET)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("plaintext: at most 3993 bytes fit one Web Push record, was 3994");
    }

    @Test
    void theRfcKeysRoundTripThroughTheirWireForm() {
        ECPrivateKey uaPrivate = P256.privateKey(b64(UA_PRIVATE));

        assertThat(P256.encode(uaPrivate)).isEqualTo(b64(UA_PRIVATE));
        assertThat(P256.encode(P256.publicKey(b64(UA_PUBLIC)))).isEqualTo(b64(UA_PUBLIC));
    }

    static byte[] b64(String s) {
        return Base64.getUrlDecoder().decode(s);
    }

    static SecureRandom seeded(long seed) throws Exception {
        SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
        random.setSeed(seed);
        return random;
    }
}
