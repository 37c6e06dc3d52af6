package io.chatwire.verify;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fixed vectors whose expected signatures were computed outside Java (openssl and Python's hmac),
 * so a wrong key derivation or signed-content layout fails here even if tests and code agree.
 */
class KnownAnswerTest {

    // base64 of the bytes 0x00..0x1f
    private static final String SECRET = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    private static final String ID = "msg_2Kx9";
    private static final String TIMESTAMP = "1700000000";
    private static final byte[] BODY = """
            {"type":"message.created","data":{"text":"héllo"}}""".getBytes(StandardCharsets.UTF_8);

    private static WebhookVerifier verifierAt(String secret, String epochSeconds) {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(Long.parseLong(epochSeconds)), ZoneOffset.UTC);
        return WebhookVerifier.forSecrets(List.of(secret), Duration.ofMinutes(5), clock);
    }

    @Test
    void chatDataSignatureKeysWithTheWholeSecretString() {
        // printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
        String expected = "2qD2NIxFt0e+FwezOpRn3C7pSi3M3wzQE6jFowFFDvc=";

        assertThatCode(() -> verifierAt(SECRET, TIMESTAMP).verifyChatData(BODY, expected)).doesNotThrowAnyException();
    }

    @Test
    void standardSignatureKeysWithTheDecodedSecret() {
        // printf '%s' "$ID.$TIMESTAMP.$BODY" | openssl dgst -sha256 -mac HMAC -macopt hexkey:000102...1f -binary | base64
        String expected = "v1,JoV+8kxgL0UFw1ATB4lsEz2J8YsFxaZj9JMVdtvaNrg=";

        assertThatCode(() -> verifierAt(SECRET, TIMESTAMP).verifyStandard(BODY, ID, TIMESTAMP, expected))
                .doesNotThrowAnyException();
    }

    @Test
    void matchesThePublishedStandardWebhooksTestVector() {
        // From the Standard Webhooks reference libraries' test suites.
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        String timestamp = "1614265330";
        byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
        String signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

        assertThatCode(() -> verifierAt(secret, timestamp)
                        .verifyStandard(body, "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp, signature))
                .doesNotThrowAnyException();
    }
}
