package io.chatwire.verify;

import static io.chatwire.verify.Fixtures.BODY;
import static io.chatwire.verify.Fixtures.ID;
import static io.chatwire.verify.Fixtures.OTHER_SECRET;
import static io.chatwire.verify.Fixtures.SECRET;
import static io.chatwire.verify.Fixtures.TIMESTAMP;
import static io.chatwire.verify.Fixtures.chatDataSignature;
import static io.chatwire.verify.Fixtures.standardSignature;
import static io.chatwire.verify.Fixtures.verifier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FailureMessageTest {

    private static final WebhookVerifier VERIFIER = verifier(SECRET);

    static Stream<Fixtures.Verification> failures() {
        String wrongStandard = "v1," + standardSignature(OTHER_SECRET, ID, TIMESTAMP, BODY);
        return Stream.of(
                () -> VERIFIER.verifyChatData(BODY, chatDataSignature(OTHER_SECRET, BODY)),
                () -> VERIFIER.verifyChatData(BODY, "%%%"),
                () -> VERIFIER.verifyStandard(BODY, ID, TIMESTAMP, wrongStandard),
                () -> VERIFIER.verifyStandard(BODY, ID, "1", wrongStandard),
                () -> VERIFIER.verifyStandard(BODY, ID, "later", wrongStandard),
                () -> VERIFIER.verify(BODY, Map.of()));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void messagesNeverRevealTheSecretOrTheExpectedSignature(Fixtures.Verification failure) {
        WebhookVerificationException e = catchThrowableOfType(WebhookVerificationException.class, failure::run);

        assertThat(e).isNotNull();
        assertThat(e.getMessage())
                .isNotBlank()
                .doesNotContain(SECRET.substring("whsec_".length(), 16))
                .doesNotContain(chatDataSignature(SECRET, BODY).substring(0, 8))
                .doesNotContain(standardSignature(SECRET, ID, TIMESTAMP, BODY).substring(0, 8));
    }
}
