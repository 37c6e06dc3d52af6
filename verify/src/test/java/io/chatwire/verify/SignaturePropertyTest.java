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
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random cases (the same on every run, so a failure reproduces): any body signed correctly
 * verifies, and any one changed byte is caught, in both header styles.
 */
class SignaturePropertyTest {
    private static final int CASES = 1000;

    private final WebhookVerifier verifier = verifier(SECRET);

    static Stream<byte[]> bodies() {
        SplittableRandom random = new SplittableRandom(7);
        return Stream.generate(() -> randomBytes(random, random.nextInt(2049))).limit(CASES);
    }

    static Stream<Arguments> bodiesWithOneFlip() {
        SplittableRandom random = new SplittableRandom(11);
        return Stream.generate(() -> {
            byte[] body = randomBytes(random, 1 + random.nextInt(2048));
            return Arguments.of(body, random.nextInt(body.length), 1 + random.nextInt(255));
        }).limit(CASES);
    }

    private static byte[] randomBytes(SplittableRandom random, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void correctlySignedBodyVerifiesInBothStyles(byte[] body) {
        String chatData = chatDataSignature(SECRET, body);
        String standard = "v1," + standardSignature(SECRET, ID, TIMESTAMP, body);

        assertThatCode(() -> verifier.verifyChatData(body, chatData)).doesNotThrowAnyException();
        assertThatCode(() -> verifier.verifyStandard(body, ID, TIMESTAMP, standard)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @MethodSource("bodiesWithOneFlip")
    void flippingAnyOneByteFailsInBothStyles(byte[] body, int position, int mask) {
        String chatData = chatDataSignature(SECRET, body);
        String standard = "v1," + standardSignature(SECRET, ID, TIMESTAMP, body);
        byte[] tampered = body.clone();
        tampered[position] ^= (byte) mask;

        assertThat(rejectionOf(() -> verifier.verifyChatData(tampered, chatData))).isEqualTo(Reason.SIGNATURE_MISMATCH);
        assertThat(rejectionOf(() -> verifier.verifyStandard(tampered, ID, TIMESTAMP, standard)))
                .isEqualTo(Reason.SIGNATURE_MISMATCH);
    }
}
