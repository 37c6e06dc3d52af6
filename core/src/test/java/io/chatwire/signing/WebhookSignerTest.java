package io.chatwire.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatwire.verify.WebhookVerificationException;
import io.chatwire.verify.WebhookVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookSignerTest {
    private static final byte[] BODY = "{\"event\":\"chat\",\"chatbot_id\":\"bot_1\",\"score\":0.8503905227042547}"
            .getBytes(StandardCharsets.UTF_8);
    private static final String MESSAGE_ID = "evt_0192f0c4d5e67a8b9c0d1e2f3a4b5c6d";

    private final SigningSecret secret = SigningSecret.generate();

    private static Map<String, String> sign(SigningSecret current, List<SigningSecret> previous, Instant at, byte[] body) {
        return WebhookSigner.headers("chat", MESSAGE_ID, at, body, current, previous);
    }

    private static void verifyStandard(WebhookVerifier verifier, byte[] body, Map<String, String> h)
            throws WebhookVerificationException {
        verifier.verifyStandard(body, h.get("webhook-id"), h.get("webhook-timestamp"), h.get("webhook-signature"));
    }

    @Test
    void headersCarryTopicBothSignaturesIdAndTimestamp() {
        Instant at = Instant.parse("2026-03-01T12:00:00.750Z");
        Map<String, String> h = sign(secret, List.of(), at, BODY);

        assertThat(h).containsOnlyKeys("x-chat-data-topic", "x-chat-data-hmac-sha256", "webhook-id",
                "webhook-timestamp", "webhook-signature");
        assertThat(h.get("x-chat-data-topic")).isEqualTo("chat");
        assertThat(h.get("webhook-id")).isEqualTo(MESSAGE_ID);
        assertThat(h.get("webhook-timestamp")).isEqualTo(Long.toString(at.getEpochSecond())).isEqualTo("1772366400");
        assertThat(h.get("webhook-signature")).matches("v1,[A-Za-z0-9+/]{43}=");
        assertThat(Base64.getDecoder().decode(h.get("x-chat-data-hmac-sha256"))).hasSize(32);
    }

    @Test
    void signaturesMadeAtOnceOnManyThreadsWithFewSecretsEachVerifyForTheirOwnBodyAndSecret() throws Exception {
        List<SigningSecret> secrets = List.of(SigningSecret.generate(), SigningSecret.generate(), SigningSecret.generate());
        List<java.util.concurrent.Future<?>> checks = new java.util.ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 600; i++) {
                SigningSecret s = secrets.get(i % secrets.size());
                byte[] body = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                checks.add(threads.submit(() -> {
                    Map<String, String> h = sign(s, List.of(), Instant.now(), body);
                    WebhookVerifier verifier = WebhookVerifier.forSecret(s.value());
                    verifier.verifyChatData(body, h.get("x-chat-data-hmac-sha256"));
                    verifyStandard(verifier, body, h);
                    return null;
                }));
            }
            for (var check : checks) {
                check.get();
            }
        }
    }

    @Test
    void bothSignaturesVerifyWithTheSameSecretString() {
        Map<String, String> h = sign(secret, List.of(), Instant.now(), BODY);
        WebhookVerifier verifier = WebhookVerifier.forSecret(secret.value());

        assertThatCode(() -> verifier.verifyChatData(BODY, h.get("x-chat-data-hmac-sha256"))).doesNotThrowAnyException();
        assertThatCode(() -> verifyStandard(verifier, BODY, h)).doesNotThrowAnyException();
    }

    @Test
    void aChangedBodyByteFailsBothSignatures() {
        Map<String, String> h = sign(secret, List.of(), Instant.now(), BODY);
        byte[] tampered = BODY.clone();
        tampered[tampered.length - 2] ^= 0x01;
        WebhookVerifier verifier = WebhookVerifier.forSecret(secret.value());

        assertThatThrownBy(() -> verifier.verifyChatData(tampered, h.get("x-chat-data-hmac-sha256")))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> verifyStandard(verifier, tampered, h))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void aWrongSecretFailsBothSignatures() {
        Map<String, String> h = sign(secret, List.of(), Instant.now(), BODY);
        WebhookVerifier other = WebhookVerifier.forSecret(SigningSecret.generate().value());

        assertThatThrownBy(() -> other.verifyChatData(BODY, h.get("x-chat-data-hmac-sha256")))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> verifyStandard(other, BODY, h))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void aStaleTimestampFailsTheStandardSignature() {
        Instant signedAt = Instant.parse("2026-03-01T12:00:00Z");
        Map<String, String> h = sign(secret, List.of(), signedAt, BODY);
        WebhookVerifier muchLater = WebhookVerifier.forSecrets(List.of(secret.value()), Duration.ofMinutes(5),
                Clock.fixed(signedAt.plus(Duration.ofHours(1)), ZoneOffset.UTC));
        WebhookVerifier justAfter = WebhookVerifier.forSecrets(List.of(secret.value()), Duration.ofMinutes(5),
                Clock.fixed(signedAt.plus(Duration.ofMinutes(1)), ZoneOffset.UTC));

        assertThatThrownBy(() -> verifyStandard(muchLater, BODY, h))
                .isInstanceOf(WebhookVerificationException.class)
                .hasMessageContaining("in the past");
        assertThatCode(() -> verifyStandard(justAfter, BODY, h)).doesNotThrowAnyException();
    }

    @Test
    void previousSecretsAddOneV1EntryEachAfterTheCurrentOne() {
        SigningSecret old1 = SigningSecret.generate();
        SigningSecret old2 = SigningSecret.generate();
        Instant at = Instant.now();
        Map<String, String> h = sign(secret, List.of(old1, old2), at, BODY);

        String[] entries = h.get("webhook-signature").split(" ");
        assertThat(entries).hasSize(3).allMatch(e -> e.startsWith("v1,"));
        long seconds = at.getEpochSecond();
        assertThat(entries).containsExactly(
                "v1," + WebhookSigner.standardSignature(secret, MESSAGE_ID, seconds, BODY),
                "v1," + WebhookSigner.standardSignature(old1, MESSAGE_ID, seconds, BODY),
                "v1," + WebhookSigner.standardSignature(old2, MESSAGE_ID, seconds, BODY));
        // The Chat Data header has room for one signature only: the current secret's.
        assertThat(h.get("x-chat-data-hmac-sha256")).isEqualTo(WebhookSigner.chatDataSignature(secret, BODY));
    }

    @Test
    void aVerifierHoldingOnlyThePreviousSecretStillVerifiesTheStandardHeader() {
        SigningSecret old = SigningSecret.generate();
        Map<String, String> h = sign(secret, List.of(old), Instant.now(), BODY);
        WebhookVerifier oldOnly = WebhookVerifier.forSecret(old.value());

        assertThatCode(() -> verifyStandard(oldOnly, BODY, h)).doesNotThrowAnyException();
        assertThatThrownBy(() -> oldOnly.verifyChatData(BODY, h.get("x-chat-data-hmac-sha256")))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void chatDataSignatureIsHmacSha256KeyedByTheWholeSecretString() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.value().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = Base64.getEncoder().encodeToString(mac.doFinal(BODY));

        assertThat(WebhookSigner.chatDataSignature(secret, BODY)).isEqualTo(expected);
    }

    @Test
    void chatDataSignatureMatchesAFixedKnownAnswer() {
        // printf '%s' '{"test": 2432232314}' | openssl dgst -sha256 -hmac 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' -binary | base64
        SigningSecret fixed = new SigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);

        assertThat(WebhookSigner.chatDataSignature(fixed, body)).isEqualTo("gOyKic480iEzoQZsrstNBP6nRnZXyFFNcX7ELDilyUw=");
    }

    @Test
    void standardSignatureMatchesTheStandardWebhooksTestVector() {
        // The test vector of the Standard Webhooks reference libraries.
        SigningSecret fixed = new SigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> h = WebhookSigner.headers("chat", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                Instant.ofEpochSecond(1614265330), body, fixed, List.of());

        assertThat(h.get("webhook-signature")).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void aGeneratedSecretIsWhsecAndThirtyTwoRandomBytes() {
        SigningSecret a = SigningSecret.generate();
        SigningSecret b = SigningSecret.generate();

        assertThat(a.value()).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(a.value().substring("whsec_".length()))).hasSize(32);
        assertThat(a.value()).isNotEqualTo(b.value());
    }

    @Test
    void aSecretNeverShowsInItsToString() {
        SigningSecret s = SigningSecret.generate();
        String key = s.value().substring("whsec_".length());

        assertThat(s.toString()).doesNotContain(key).doesNotContain(key.substring(0, 8));
        assertThat(List.of(s).toString()).doesNotContain(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nope", "whsec_", "whsec_not*base64!", "whsec_c2hvcnQ=", "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})
    void aMalformedSecretIsRefused(String value) {
        assertThatThrownBy(() -> new SigningSecret(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("signing secret");
    }

    @Test
    void theAttemptLogKeepsTheSigningHeadersWithEachSignatureCutShort() {
        SigningSecret old = SigningSecret.generate();
        Map<String, String> sent = new java.util.LinkedHashMap<>(
                sign(secret, List.of(old), Instant.parse("2026-12-01T08:00:00Z"), BODY));
        sent.put("authorization", "Bearer receiver-own-token");

        Map<String, String> logged = WebhookSigner.forAttemptLog(sent);

        assertThat(logged.keySet()).containsExactly("x-chat-data-topic", "x-chat-data-hmac-sha256", "webhook-id",
                "webhook-timestamp", "webhook-signature");
        assertThat(logged.get("x-chat-data-topic")).isEqualTo("chat");
        assertThat(logged.get("webhook-id")).isEqualTo(MESSAGE_ID);
        assertThat(logged.get("webhook-timestamp")).isEqualTo(sent.get("webhook-timestamp"));
        assertThat(logged.get("x-chat-data-hmac-sha256"))
                .isEqualTo(sent.get("x-chat-data-hmac-sha256").substring(0, 6) + "…");
        String[] signatures = sent.get("webhook-signature").split(" ");
        assertThat(logged.get("webhook-signature"))
                .isEqualTo(signatures[0].substring(0, 9) + "… " + signatures[1].substring(0, 9) + "…");
    }
}
