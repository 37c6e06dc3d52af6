package io.chatwire.signing;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * An account's signing secret: {@code whsec_} followed by the standard base64 of 32 random bytes.
 *
 * <p>One string serves both header styles unmodified: the Chat Data header is keyed by the UTF-8
 * bytes of the whole string (what {@code crypto.createHmac('sha256', secret)} does), and the Standard
 * Webhooks header by the base64-decoded part after {@code whsec_} (what every Standard Webhooks
 * library does with such a string).
 */
public record SigningSecret(String value) {
    public static final String PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();

    public SigningSecret {
        Objects.requireNonNull(value, "value");
        if (!value.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a signing secret starts with " + PREFIX);
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(value.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a signing secret is whsec_ and base64", e);
        }
        if (key.length < 24) {
            throw new IllegalArgumentException("a signing secret carries at least 24 random bytes");
        }
    }

    public static SigningSecret generate() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return new SigningSecret(PREFIX + Base64.getEncoder().encodeToString(key));
    }

    /** The key of the Standard Webhooks signature. */
    byte[] standardWebhooksKey() {
        return Base64.getDecoder().decode(value.substring(PREFIX.length()));
    }

    /** The key of the Chat Data signature. */
    byte[] chatDataKey() {
        return value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Never prints the secret: records end up in logs by accident. */
    @Override
    public String toString() {
        return "SigningSecret[whsec_***]";
    }
}
