package io.chatwire.signing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes the headers that let a receiver check a delivery came from Chatwire: the Chat Data style
 * ({@code x-chat-data-hmac-sha256}) and the Standard Webhooks style ({@code webhook-id},
 * {@code webhook-timestamp}, {@code webhook-signature}).
 */
public final class WebhookSigner {
    public static final String TOPIC = "x-chat-data-topic";
    public static final String CHAT_DATA_SIGNATURE = "x-chat-data-hmac-sha256";
    public static final String WEBHOOK_ID = "webhook-id";
    public static final String WEBHOOK_TIMESTAMP = "webhook-timestamp";
    public static final String WEBHOOK_SIGNATURE = "webhook-signature";

    private WebhookSigner() {
    }

    /**
     * The signature headers of one request.
     *
     * @param current the secret that signs the Chat Data header and the first Standard signature
     * @param previous secrets still in their rotation grace period; each adds a Standard signature
     */
    public static Map<String, String> headers(String eventType, String messageId, Instant timestamp, byte[] body,
            SigningSecret current, List<SigningSecret> previous) {
        long seconds = timestamp.getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(TOPIC, eventType);
        headers.put(CHAT_DATA_SIGNATURE, chatDataSignature(current, body));
        headers.put(WEBHOOK_ID, messageId);
        headers.put(WEBHOOK_TIMESTAMP, Long.toString(seconds));
        List<String> signatures = new ArrayList<>();
        signatures.add("v1," + standardSignature(current, messageId, seconds, body));
        for (SigningSecret old : previous) {
            signatures.add("v1," + standardSignature(old, messageId, seconds, body));
        }
        headers.put(WEBHOOK_SIGNATURE, String.join(" ", signatures));
        return headers;
    }

    /** How many characters of each signature the attempt log keeps. */
    public static final int LOGGED_SIGNATURE_CHARS = 6;

    /**
     * The headers as the attempt log keeps them: each signature cut to its first
     * {@value #LOGGED_SIGNATURE_CHARS} characters and an ellipsis. Enough to tell which secret signed
     * a request (and to compare with what a receiver logged), not enough to replay it: a full
     * signature in a log that anyone with the account's API key reads would let them re-send that
     * request to the receiver as Chatwire's. Only the headers this class makes are kept: any other
     * header of the request (an endpoint's own, which may hold a credential) is left out.
     */
    public static Map<String, String> forAttemptLog(Map<String, String> headers) {
        Map<String, String> kept = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            switch (name) {
                case CHAT_DATA_SIGNATURE -> kept.put(name, shortened(value));
                case WEBHOOK_SIGNATURE -> kept.put(name, String.join(" ", java.util.Arrays.stream(value.split(" "))
                        .map(s -> s.substring(0, s.indexOf(',') + 1) + shortened(s.substring(s.indexOf(',') + 1)))
                        .toList()));
                case TOPIC, WEBHOOK_ID, WEBHOOK_TIMESTAMP -> kept.put(name, value);
                default -> {
                    // Not a signing header: not recorded.
                }
            }
        });
        return kept;
    }

    private static String shortened(String signature) {
        return signature.substring(0, Math.min(LOGGED_SIGNATURE_CHARS, signature.length())) + "…";
    }

    /** base64(HMAC-SHA256(UTF-8 bytes of the secret, raw body)). */
    public static String chatDataSignature(SigningSecret secret, byte[] body) {
        Mac mac = keyed(secret).chatData();
        return Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    /** base64(HMAC-SHA256(decoded key, "id.timestamp.body")), without the {@code v1,} prefix. */
    public static String standardSignature(SigningSecret secret, String messageId, long timestampSeconds, byte[] body) {
        Mac mac = keyed(secret).standard();
        mac.update((messageId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    /**
     * The two header styles sign different inputs with different keys (the secret's text, and its
     * decoded bytes), so each attempt needs both HMACs. What they can share across attempts is the
     * keyed MAC: looking up the provider and keying HMAC (two hash blocks for the padded key) is done
     * once per secret, and each signature starts from a copy of that keyed state.
     */
    private record KeyedMacs(Mac chatDataPrototype, Mac standardPrototype) {
        Mac chatData() {
            return copy(chatDataPrototype);
        }

        Mac standard() {
            return copy(standardPrototype);
        }

        private static Mac copy(Mac prototype) {
            try {
                return (Mac) prototype.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("the JDK's HmacSHA256 can be cloned", e);
            }
        }
    }

    /** Bounded by the secrets in use; emptied should a process ever sign with very many. */
    private static final int MAX_KEYED = 10_000;
    private static final Map<SigningSecret, KeyedMacs> KEYED = new ConcurrentHashMap<>();

    private static KeyedMacs keyed(SigningSecret secret) {
        KeyedMacs macs = KEYED.get(secret);
        if (macs == null) {
            if (KEYED.size() >= MAX_KEYED) {
                KEYED.clear();
            }
            macs = new KeyedMacs(mac(secret.chatDataKey()), mac(secret.standardWebhooksKey()));
            KEYED.put(secret, macs);
        }
        return macs;
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
