package io.chatwire.verify;

import static io.chatwire.verify.Fixtures.ID;
import static io.chatwire.verify.Fixtures.SECRET;
import static io.chatwire.verify.Fixtures.TIMESTAMP;
import static io.chatwire.verify.Fixtures.chatDataSignature;
import static io.chatwire.verify.Fixtures.rejectionOf;
import static io.chatwire.verify.Fixtures.standardSignature;
import static io.chatwire.verify.Fixtures.verifier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.chatwire.verify.WebhookVerificationException.Reason;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class SignaturePropertyTest {

    private final WebhookVerifier verifier = verifier(SECRET);

    @Property(tries = 500)
    void correctlySignedBodyVerifiesInBothStyles(@ForAll @Size(max = 2048) byte[] body) {
        String chatData = chatDataSignature(SECRET, body);
        String standard = "v1," + standardSignature(SECRET, ID, TIMESTAMP, body);

        assertThatCode(() -> verifier.verifyChatData(body, chatData)).doesNotThrowAnyException();
        assertThatCode(() -> verifier.verifyStandard(body, ID, TIMESTAMP, standard)).doesNotThrowAnyException();
    }

    @Property(tries = 500)
    void flippingAnyOneByteFailsInBothStyles(
            @ForAll @Size(min = 1, max = 2048) byte[] body,
            @ForAll @IntRange(min = 0) int position,
            @ForAll @IntRange(min = 1, max = 255) int mask) {
        String chatData = chatDataSignature(SECRET, body);
        String standard = "v1," + standardSignature(SECRET, ID, TIMESTAMP, body);
        byte[] tampered = body.clone();
        tampered[position % body.length] ^= (byte) mask;

        assertThat(rejectionOf(() -> verifier.verifyChatData(tampered, chatData))).isEqualTo(Reason.SIGNATURE_MISMATCH);
        assertThat(rejectionOf(() -> verifier.verifyStandard(tampered, ID, TIMESTAMP, standard)))
                .isEqualTo(Reason.SIGNATURE_MISMATCH);
    }
}
