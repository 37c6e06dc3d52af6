package io.chatwire.verify;

import static io.chatwire.verify.Fixtures.BODY;
import static io.chatwire.verify.Fixtures.OTHER_SECRET;
import static io.chatwire.verify.Fixtures.SECRET;
import static io.chatwire.verify.Fixtures.chatDataSignature;
import static io.chatwire.verify.Fixtures.hmacBase64;
import static io.chatwire.verify.Fixtures.rejectionOf;
import static io.chatwire.verify.Fixtures.verifier;
import static io.chatwire.verify.Fixtures.withByteFlipped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.chatwire.verify.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChatDataSignatureTest {

    private final WebhookVerifier verifier = verifier(SECRET);

    @Test
    void acceptsChatDataSignatureComputedOverRawBody() {
        String header = chatDataSignature(SECRET, BODY);

        assertThatCode(() -> verifier.verifyChatData(BODY, header)).doesNotThrowAnyException();
    }

    @Test
    void acceptsEmptyBody() {
        byte[] empty = new byte[0];
        String header = chatDataSignature(SECRET, empty);

        assertThatCode(() -> verifier.verifyChatData(empty, header)).doesNotThrowAnyException();
    }

    @Test
    void rejectsChangedByte() {
        String header = chatDataSignature(SECRET, BODY);

        assertThat(rejectionOf(() -> verifier.verifyChatData(withByteFlipped(BODY, 10), header)))
                .isEqualTo(Reason.SIGNATURE_MISMATCH);
    }

    @Test
    void rejectsReserializedJson() {
        String header = chatDataSignature(SECRET, BODY);
        byte[] reserialized = """
                {"type": "message.created", "data": {"text": "héllo"}}""".getBytes(StandardCharsets.UTF_8);

        assertThat(rejectionOf(() -> verifier.verifyChatData(reserialized, header)))
                .isEqualTo(Reason.SIGNATURE_MISMATCH);
    }

    @Test
    void rejectsWrongSecret() {
        String header = chatDataSignature(OTHER_SECRET, BODY);

        assertThat(rejectionOf(() -> verifier.verifyChatData(BODY, header))).isEqualTo(Reason.SIGNATURE_MISMATCH);
    }

    @Test
    void rejectsSignatureKeyedWithDecodedSecret() {
        // The Chat Data style keys with the whole secret string; the decoded bytes are the other style's key.
        byte[] decoded = Base64.getDecoder().decode(SECRET.substring("whsec_".length()));
        String keyedWithDecoded = hmacBase64(decoded, BODY);

        assertThat(rejectionOf(() -> verifier.verifyChatData(BODY, keyedWithDecoded)))
                .isEqualTo(Reason.SIGNATURE_MISMATCH);
    }

    @Test
    void rejectsMissingHeader() {
        assertThat(rejectionOf(() -> verifier.verifyChatData(BODY, null))).isEqualTo(Reason.MISSING_HEADER);
    }

    @Test
    void rejectsBlankHeader() {
        assertThat(rejectionOf(() -> verifier.verifyChatData(BODY, "  "))).isEqualTo(Reason.MISSING_HEADER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not base64!", "%%%%", "sha256=abc", "AAAA"})
    void rejectsHeaderThatIsNotABase64HmacSha256(String header) {
        assertThat(rejectionOf(() -> verifier.verifyChatData(BODY, header))).isEqualTo(Reason.MALFORMED_HEADER);
    }
}
