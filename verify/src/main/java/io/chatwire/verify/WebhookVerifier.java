package io.chatwire.verify;

import io.chatwire.verify.WebhookVerificationException.Reason;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Verifies that a webhook request was signed by Chatwire.
 *
 * <p>Chatwire signs every delivery twice with the same signing secret: once in the
 * <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> style ({@code webhook-id},
 * {@code webhook-timestamp}, {@code webhook-signature}) and once in the Chat Data style
 * ({@code x-chat-data-hmac-sha256}, no timestamp). Always pass the raw request body bytes, never a
 * re-serialized form of the parsed JSON.
 *
 * <p>Instances are immutable and thread-safe; create one at startup and share it.
 */
public final class WebhookVerifier {

    static final String CHAT_DATA_HEADER = "x-chat-data-hmac-sha256";
    static final String ID_HEADER = "webhook-id";
    static final String TIMESTAMP_HEADER = "webhook-timestamp";
    static final String SIGNATURE_HEADER = "webhook-signature";

    private static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
    private static final int HMAC_SHA256_LENGTH = 32;
    // 18 digits always fit in a long, so a hostile timestamp can never overflow the skew arithmetic.
    private static final int MAX_TIMESTAMP_DIGITS = 18;

    private final List<SigningKey> keys;
    private final Duration tolerance;
    private final Clock clock;

    private WebhookVerifier(List<SigningKey> keys, Duration tolerance, Clock clock) {
        this.keys = keys;
        this.tolerance = tolerance;
        this.clock = clock;
    }

    /**
     * Creates a verifier for one signing secret, accepting Standard Webhooks timestamps within five
     * minutes of the system UTC clock.
     *
     * @param signingSecret the endpoint's signing secret, {@code whsec_} followed by base64
     * @return a thread-safe verifier
     * @throws IllegalArgumentException if the secret is empty or not base64 after the prefix
     */
    public static WebhookVerifier forSecret(String signingSecret) {
        Objects.requireNonNull(signingSecret, "signingSecret");
        return forSecrets(List.of(signingSecret), DEFAULT_TOLERANCE, Clock.systemUTC());
    }

    /**
     * Creates a verifier that accepts a signature made with any of several secrets, for example
     * the old and the new secret while a secret rotation is in progress.
     *
     * @param signingSecrets one or more signing secrets, each {@code whsec_} followed by base64
     * @param tolerance how far a {@code webhook-timestamp} may lie in the past or the future
     * @param clock the clock to compare timestamps against
     * @return a thread-safe verifier
     * @throws IllegalArgumentException if no secret is given, a secret is malformed, or the
     *     tolerance is negative
     */
    public static WebhookVerifier forSecrets(List<String> signingSecrets, Duration tolerance, Clock clock) {
        Objects.requireNonNull(signingSecrets, "signingSecrets");
        Objects.requireNonNull(tolerance, "tolerance");
        Objects.requireNonNull(clock, "clock");
        if (signingSecrets.isEmpty()) {
            throw new IllegalArgumentException("at least one signing secret is required");
        }
        if (tolerance.isNegative()) {
            throw new IllegalArgumentException("tolerance must not be negative");
        }
        List<SigningKey> keys = List.copyOf(signingSecrets).stream().map(SigningKey::of).toList();
        return new WebhookVerifier(keys, tolerance, clock);
    }

    /**
     * Verifies a Chat Data style signature: base64 HMAC-SHA256 of the raw body. This style carries
     * no timestamp, so it cannot reject replays; prefer {@link #verifyStandard} when you can.
     *
     * @param rawBody the request body exactly as received
     * @param chatDataSignatureHeader the value of the {@code x-chat-data-hmac-sha256} header
     * @throws WebhookVerificationException if the header is missing or malformed, or the signature
     *     does not match under any configured secret
     */
    public void verifyChatData(byte[] rawBody, String chatDataSignatureHeader)
            throws WebhookVerificationException {
        Objects.requireNonNull(rawBody, "rawBody");
        verifyChatData(rawBody, Optional.ofNullable(chatDataSignatureHeader));
    }

    /**
     * Verifies a Standard Webhooks signature: first that the timestamp lies within the tolerance of
     * the clock in either direction, then that at least one {@code v1,} entry of the signature
     * header matches. Entries with other version prefixes are ignored.
     *
     * @param rawBody the request body exactly as received
     * @param webhookId the value of the {@code webhook-id} header
     * @param webhookTimestamp the value of the {@code webhook-timestamp} header, in Unix seconds
     * @param webhookSignature the value of the {@code webhook-signature} header
     * @throws WebhookVerificationException if a header is missing or malformed, the timestamp is
     *     out of tolerance, or no signature matches under any configured secret
     */
    public void verifyStandard(byte[] rawBody, String webhookId, String webhookTimestamp, String webhookSignature)
            throws WebhookVerificationException {
        Objects.requireNonNull(rawBody, "rawBody");
        verifyStandard(
                rawBody,
                Optional.ofNullable(webhookId),
                Optional.ofNullable(webhookTimestamp),
                Optional.ofNullable(webhookSignature));
    }

    /**
     * Verifies a request given all of its headers. Header names are matched case-insensitively, so
     * both the JDK's {@code com.sun.net.httpserver.Headers} and servlet-style maps work. If any
     * Standard Webhooks header is present the request is verified as Standard Webhooks, otherwise
     * by its Chat Data header. A relevant header that occurs more than once is rejected.
     *
     * @param rawBody the request body exactly as received
     * @param headers the request headers, name to values
     * @throws WebhookVerificationException if neither signature style is present, a header is
     *     missing, doubled or malformed, the timestamp is out of tolerance, or no signature matches
     */
    public void verify(byte[] rawBody, Map<String, List<String>> headers) throws WebhookVerificationException {
        Objects.requireNonNull(rawBody, "rawBody");
        Objects.requireNonNull(headers, "headers");
        // Look everything up first so a doubled header is rejected whichever style ends up used.
        Optional<String> id = header(headers, ID_HEADER);
        Optional<String> timestamp = header(headers, TIMESTAMP_HEADER);
        Optional<String> signature = header(headers, SIGNATURE_HEADER);
        Optional<String> chatData = header(headers, CHAT_DATA_HEADER);
        // One Standard header is enough to commit to that style: a request that lost the others is
        // broken or tampered with, and must not fall back to the weaker, timestamp-free style.
        if (id.isPresent() || timestamp.isPresent() || signature.isPresent()) {
            verifyStandard(rawBody, id, timestamp, signature);
        } else if (chatData.isPresent()) {
            verifyChatData(rawBody, chatData);
        } else {
            throw new WebhookVerificationException(
                    Reason.MISSING_HEADER,
                    "neither " + SIGNATURE_HEADER + " nor " + CHAT_DATA_HEADER + " header is present");
        }
    }

    private void verifyChatData(byte[] rawBody, Optional<String> header) throws WebhookVerificationException {
        byte[] presented = decodeSignature(CHAT_DATA_HEADER, require(CHAT_DATA_HEADER, header));
        for (SigningKey key : keys) {
            if (MessageDigest.isEqual(key.chatDataSignature(rawBody), presented)) {
                return;
            }
        }
        throw mismatch(CHAT_DATA_HEADER);
    }

    private void verifyStandard(
            byte[] rawBody, Optional<String> idHeader, Optional<String> timestampHeader, Optional<String> signatureHeader)
            throws WebhookVerificationException {
        String id = require(ID_HEADER, idHeader);
        String timestamp = require(TIMESTAMP_HEADER, timestampHeader);
        String signatures = require(SIGNATURE_HEADER, signatureHeader);
        checkTolerance(parseTimestamp(timestamp));
        List<byte[]> presented = v1Signatures(signatures);
        for (SigningKey key : keys) {
            // Sign the timestamp text as received: that is what the sender signed.
            byte[] expected = key.standardSignature(id, timestamp, rawBody);
            for (byte[] candidate : presented) {
                if (MessageDigest.isEqual(expected, candidate)) {
                    return;
                }
            }
        }
        throw mismatch(SIGNATURE_HEADER);
    }

    private static Optional<String> header(Map<String, List<String>> headers, String name)
            throws WebhookVerificationException {
        List<String> values = new ArrayList<>();
        // Scanning every entry also catches maps holding the same name in two spellings.
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            if (entry.getKey() != null && asciiEqualsIgnoreCase(entry.getKey(), name) && entry.getValue() != null) {
                values.addAll(entry.getValue());
            }
        }
        if (values.size() > 1) {
            throw new WebhookVerificationException(Reason.MALFORMED_HEADER, name + " header appears more than once");
        }
        return values.isEmpty() ? Optional.empty() : Optional.ofNullable(values.getFirst());
    }

    // String.equalsIgnoreCase also folds non-ASCII letters (U+017F matches 's'); HTTP field names
    // are ASCII tokens, so only ASCII case should be ignored.
    private static boolean asciiEqualsIgnoreCase(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            if (asciiLower(a.charAt(i)) != asciiLower(b.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static char asciiLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    private static String require(String name, Optional<String> value) throws WebhookVerificationException {
        String stripped = value.map(String::strip).orElse("");
        if (stripped.isEmpty()) {
            throw new WebhookVerificationException(Reason.MISSING_HEADER, name + " header is missing or empty");
        }
        return stripped;
    }

    private static long parseTimestamp(String timestamp) throws WebhookVerificationException {
        if (timestamp.length() > MAX_TIMESTAMP_DIGITS || !timestamp.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new WebhookVerificationException(
                    Reason.MALFORMED_HEADER, TIMESTAMP_HEADER + " header is not a Unix time in seconds");
        }
        return Long.parseLong(timestamp);
    }

    private void checkTolerance(long epochSeconds) throws WebhookVerificationException {
        Instant now = clock.instant();
        // Duration spans the whole long range of seconds, so this cannot overflow for 18 digits.
        Duration skew = Duration.ofSeconds(epochSeconds).minus(Duration.ofSeconds(now.getEpochSecond(), now.getNano()));
        if (skew.abs().compareTo(tolerance) > 0) {
            String direction = skew.isNegative() ? "in the past" : "in the future";
            throw new WebhookVerificationException(
                    Reason.TIMESTAMP_OUT_OF_TOLERANCE,
                    TIMESTAMP_HEADER + " is " + skew.abs().toSeconds() + "s " + direction
                            + ", more than the tolerance of " + tolerance.toSeconds() + "s");
        }
    }

    private static List<byte[]> v1Signatures(String header) throws WebhookVerificationException {
        List<byte[]> signatures = new ArrayList<>();
        for (String entry : header.split("\\s+")) {
            int comma = entry.indexOf(',');
            if (comma <= 0) {
                throw new WebhookVerificationException(
                        Reason.MALFORMED_HEADER, SIGNATURE_HEADER + " entry is not <version>,<signature>");
            }
            // Other versions (such as v1a, asymmetric) may accompany v1; they are not ours to check.
            if (entry.substring(0, comma).equals("v1")) {
                signatures.add(decodeSignature(SIGNATURE_HEADER, entry.substring(comma + 1)));
            }
        }
        if (signatures.isEmpty()) {
            throw new WebhookVerificationException(
                    Reason.SIGNATURE_MISMATCH, SIGNATURE_HEADER + " header has no v1 signature");
        }
        return signatures;
    }

    private static byte[] decodeSignature(String name, String base64) throws WebhookVerificationException {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException _) {
            throw new WebhookVerificationException(Reason.MALFORMED_HEADER, name + " signature is not valid base64");
        }
        if (decoded.length != HMAC_SHA256_LENGTH) {
            throw new WebhookVerificationException(
                    Reason.MALFORMED_HEADER, name + " signature is not a " + HMAC_SHA256_LENGTH + "-byte HMAC-SHA256");
        }
        return decoded;
    }

    private static WebhookVerificationException mismatch(String name) {
        return new WebhookVerificationException(
                Reason.SIGNATURE_MISMATCH, name + " signature does not match the body under any signing secret");
    }
}
