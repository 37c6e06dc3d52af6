package io.chatwire.verify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** One signing secret, holding the HMAC key for each signature style derived from it. */
final class SigningKey {

    private static final String PREFIX = "whsec_";
    private static final String HMAC_SHA256 = "HmacSHA256";
    private static final byte DOT = '.';

    private final SecretKeySpec chatDataKey;
    private final SecretKeySpec standardKey;

    private SigningKey(SecretKeySpec chatDataKey, SecretKeySpec standardKey) {
        this.chatDataKey = chatDataKey;
        this.standardKey = standardKey;
    }

    static SigningKey of(String signingSecret) {
        Objects.requireNonNull(signingSecret, "signing secret");
        // Secrets read from env files or vaults often carry a trailing newline; a real secret never
        // contains whitespace, so stripping cannot turn a valid secret into a different one.
        String secret = signingSecret.strip();
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("signing secret is empty");
        }
        String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException _) {
            // The cause is dropped on purpose: its message quotes a character of the secret.
            throw new IllegalArgumentException("signing secret is not \"whsec_\" followed by standard base64");
        }
        if (decoded.length == 0) {
            throw new IllegalArgumentException("signing secret decodes to an empty key");
        }
        // Both styles share one secret string but key differently; see the wire format in README.md.
        return new SigningKey(
                new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC_SHA256),
                new SecretKeySpec(decoded, HMAC_SHA256));
    }

    byte[] chatDataSignature(byte[] rawBody) {
        return newMac(chatDataKey).doFinal(rawBody);
    }

    byte[] standardSignature(String webhookId, String webhookTimestamp, byte[] rawBody) {
        Mac mac = newMac(standardKey);
        mac.update(webhookId.getBytes(StandardCharsets.UTF_8));
        mac.update(DOT);
        mac.update(webhookTimestamp.getBytes(StandardCharsets.US_ASCII));
        mac.update(DOT);
        // The spec phrases the body as a UTF-8 string; feeding the raw bytes is identical for UTF-8
        // bodies and avoids decoding, which would map distinct invalid byte sequences to U+FFFD.
        return mac.doFinal(rawBody);
    }

    // A fresh Mac per call keeps the verifier thread-safe without ThreadLocal bookkeeping.
    private static Mac newMac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(HMAC_SHA256);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            // Every Java SE implementation must provide HmacSHA256, so this is a broken runtime.
            throw new IllegalStateException(HMAC_SHA256 + " is unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "SigningKey[redacted]";
    }
}
