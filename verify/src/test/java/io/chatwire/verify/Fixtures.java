package io.chatwire.verify;

import static org.assertj.core.api.Assertions.fail;

import io.chatwire.verify.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhooks the way the Chatwire server does, written against javax.crypto directly so the
 * expected values never come from the code under test.
 */
final class Fixtures {

    static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final Duration TOLERANCE = Duration.ofMinutes(5);
    static final String SECRET = secret(1);
    static final String OTHER_SECRET = secret(2);
    static final String ID = "msg_2Kx9";
    static final String TIMESTAMP = Long.toString(NOW.getEpochSecond());
    static final byte[] BODY = """
            {"type":"message.created","data":{"text":"héllo"}}""".getBytes(StandardCharsets.UTF_8);

    private Fixtures() {}

    @FunctionalInterface
    interface Verification {
        void run() throws WebhookVerificationException;
    }

    static WebhookVerifier verifier(String... secrets) {
        return WebhookVerifier.forSecrets(List.of(secrets), TOLERANCE, CLOCK);
    }

    /** A secret in the server's format: {@code whsec_} plus base64 of 32 bytes derived from seed. */
    static String secret(int seed) {
        byte[] key = new byte[32];
        IntStream.range(0, key.length).forEach(i -> key[i] = (byte) (seed * 31 + i * 7));
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    static String chatDataSignature(String secret, byte[] body) {
        return hmacBase64(secret.getBytes(StandardCharsets.UTF_8), body);
    }

    static String standardSignature(String secret, String id, String timestamp, byte[] body) {
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, content, 0, prefix.length);
        System.arraycopy(body, 0, content, prefix.length, body.length);
        return hmacBase64(key, content);
    }

    static byte[] withByteFlipped(byte[] body, int index) {
        byte[] copy = body.clone();
        copy[index] ^= 0x01;
        return copy;
    }

    /** Runs a verification expected to fail and returns why it failed. */
    static Reason rejectionOf(Verification verification) {
        try {
            verification.run();
        } catch (WebhookVerificationException e) {
            return e.reason();
        }
        return fail("expected verification to be rejected, but it passed");
    }

    static String hmacBase64(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(message));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
