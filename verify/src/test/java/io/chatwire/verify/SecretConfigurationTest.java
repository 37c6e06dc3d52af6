package io.chatwire.verify;

import static io.chatwire.verify.Fixtures.BODY;
import static io.chatwire.verify.Fixtures.CLOCK;
import static io.chatwire.verify.Fixtures.ID;
import static io.chatwire.verify.Fixtures.OTHER_SECRET;
import static io.chatwire.verify.Fixtures.SECRET;
import static io.chatwire.verify.Fixtures.TIMESTAMP;
import static io.chatwire.verify.Fixtures.TOLERANCE;
import static io.chatwire.verify.Fixtures.chatDataSignature;
import static io.chatwire.verify.Fixtures.rejectionOf;
import static io.chatwire.verify.Fixtures.secret;
import static io.chatwire.verify.Fixtures.standardSignature;
import static io.chatwire.verify.Fixtures.verifier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.chatwire.verify.WebhookVerificationException.Reason;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretConfigurationTest {

    @Test
    void acceptsSignatureMadeWithAnyConfiguredSecret() {
        WebhookVerifier rotating = verifier(SECRET, OTHER_SECRET);
        String signature = "v1," + standardSignature(OTHER_SECRET, ID, TIMESTAMP, BODY);

        assertThatCode(() -> rotating.verifyStandard(BODY, ID, TIMESTAMP, signature)).doesNotThrowAnyException();
        assertThatCode(() -> rotating.verifyChatData(BODY, chatDataSignature(OTHER_SECRET, BODY)))
                .doesNotThrowAnyException();
    }

    @Test
    void rejectsSignatureFromARetiredSecret() {
        WebhookVerifier rotated = verifier(OTHER_SECRET, secret(3));

        assertThat(rejectionOf(() -> rotated.verifyChatData(BODY, chatDataSignature(SECRET, BODY))))
                .isEqualTo(Reason.SIGNATURE_MISMATCH);
    }

    @Test
    void acceptsSecretWithoutPrefixForTheStandardStyle() {
        WebhookVerifier unprefixed = verifier(SECRET.substring("whsec_".length()));
        String signature = "v1," + standardSignature(SECRET, ID, TIMESTAMP, BODY);

        assertThatCode(() -> unprefixed.verifyStandard(BODY, ID, TIMESTAMP, signature)).doesNotThrowAnyException();
    }

    @Test
    void ignoresWhitespaceAroundSecret() {
        WebhookVerifier fromEnvFile = verifier(SECRET + "\n");

        assertThatCode(() -> fromEnvFile.verifyChatData(BODY, chatDataSignature(SECRET, BODY)))
                .doesNotThrowAnyException();
    }

    @Test
    void rejectsSecretThatIsNotBase64WithoutEchoingIt() {
        String bad = "whsec_this-is-not*base64";

        assertThatIllegalArgumentException()
                .isThrownBy(() -> WebhookVerifier.forSecret(bad))
                .withMessageNotContaining("this-is-not")
                .withNoCause();
    }

    @Test
    void rejectsEmptySecret() {
        assertThatIllegalArgumentException().isThrownBy(() -> WebhookVerifier.forSecret(" "));
        assertThatIllegalArgumentException().isThrownBy(() -> WebhookVerifier.forSecret("whsec_"));
    }

    @Test
    void rejectsEmptySecretList() {
        assertThatIllegalArgumentException().isThrownBy(() -> WebhookVerifier.forSecrets(List.of(), TOLERANCE, CLOCK));
    }

    @Test
    void rejectsNegativeTolerance() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> WebhookVerifier.forSecrets(List.of(SECRET), Duration.ofSeconds(-1), CLOCK));
    }

    @Test
    void rejectsNullArgumentsAsProgrammerErrors() {
        WebhookVerifier verifier = verifier(SECRET);

        assertThatNullPointerException().isThrownBy(() -> WebhookVerifier.forSecret(null));
        assertThatNullPointerException().isThrownBy(() -> WebhookVerifier.forSecrets(List.of(SECRET), null, CLOCK));
        assertThatNullPointerException().isThrownBy(() -> verifier.verifyChatData(null, "x"));
        assertThatNullPointerException().isThrownBy(() -> verifier.verify(BODY, null));
    }

    @Test
    void defaultVerifierUsesTheSystemClock() {
        String now = Long.toString(System.currentTimeMillis() / 1000);
        String signature = "v1," + standardSignature(SECRET, ID, now, BODY);

        assertThatCode(() -> WebhookVerifier.forSecret(SECRET).verifyStandard(BODY, ID, now, signature))
                .doesNotThrowAnyException();
    }
}
