package io.chatwire.verify;

import static io.chatwire.verify.Fixtures.BODY;
import static io.chatwire.verify.Fixtures.ID;
import static io.chatwire.verify.Fixtures.NOW;
import static io.chatwire.verify.Fixtures.OTHER_SECRET;
import static io.chatwire.verify.Fixtures.SECRET;
import static io.chatwire.verify.Fixtures.TIMESTAMP;
import static io.chatwire.verify.Fixtures.rejectionOf;
import static io.chatwire.verify.Fixtures.standardSignature;
import static io.chatwire.verify.Fixtures.verifier;
import static io.chatwire.verify.Fixtures.withByteFlipped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.chatwire.verify.WebhookVerificationException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StandardWebhooksSignatureTest {

    private final WebhookVerifier verifier = verifier(SECRET);

    private static String v1(String secret, String id, String timestamp, byte[] body) {
        return "v1," + standardSignature(secret, id, timestamp, body);
    }

    private static String secondsFromNow(long seconds) {
        return Long.toString(NOW.getEpochSecond() + seconds);
    }

    @Test
    void acceptsSignatureOverIdTimestampAndRawBody() {
        String signature = v1(SECRET, ID, TIMESTAMP, BODY);

        assertThatCode(() -> verifier.verifyStandard(BODY, ID, TIMESTAMP, signature)).doesNotThrowAnyException();
    }

    @Test
    void rejectsChangedByte() {
        String signature = v1(SECRET, ID, TIMESTAMP, BODY);

        assertThat(rejectionOf(() -> verifier.verifyStandard(withByteFlipped(BODY, 0), ID, TIMESTAMP, signature)))
                .isEqualTo(Reason.SIGNATURE_MISMATCH);
    }

    @Test
    void rejectsWrongSecret() {
        String signature = v1(OTHER_SECRET, ID, TIMESTAMP, BODY);

        assertThat(rejectionOf(() -> verifier.verifyStandard(BODY, ID, TIMESTAMP, signature)))
                .isEqualTo(Reason.SIGNATURE_MISMATCH);
    }

    @Test
    void rejectsChangedId() {
        String signature = v1(SECRET, ID, TIMESTAMP, BODY);

        assertThat(rejectionOf(() -> verifier.verifyStandard(BODY, "msg_other", TIMESTAMP, signature)))
                .isEqualTo(Reason.SIGNATURE_MISMATCH);
    }

    @Test
    void rejectsTimestampThatDiffersFromTheSignedOne() {
        String signature = v1(SECRET, ID, TIMESTAMP, BODY);

        assertThat(rejectionOf(() -> verifier.verifyStandard(BODY, ID, secondsFromNow(1), signature)))
                .isEqualTo(Reason.SIGNATURE_MISMATCH);
    }

    @Test
    void rejectsStaleTimestamp() {
        String stale = secondsFromNow(-301);
        String signature = v1(SECRET, ID, stale, BODY);

        assertThat(rejectionOf(() -> verifier.verifyStandard(BODY, ID, stale, signature)))
                .isEqualTo(Reason.TIMESTAMP_OUT_OF_TOLERANCE);
    }

    @Test
    void rejectsFutureTimestamp() {
        String future = secondsFromNow(301);
        String signature = v1(SECRET, ID, future, BODY);

        assertThat(rejectionOf(() -> verifier.verifyStandard(BODY, ID, future, signature)))
                .isEqualTo(Reason.TIMESTAMP_OUT_OF_TOLERANCE);
    }

    @ParameterizedTest
    @ValueSource(longs = {-300, 300})
    void acceptsTimestampExactlyAtTheToleranceEdge(long offset) {
        String edge = secondsFromNow(offset);
        String signature = v1(SECRET, ID, edge, BODY);

        assertThatCode(() -> verifier.verifyStandard(BODY, ID, edge, signature)).doesNotThrowAnyException();
    }

    @Test
    void rejectsAbsurdlyDistantTimestampWithoutOverflowing() {
        String distant = "999999999999999999";
        String signature = v1(SECRET, ID, distant, BODY);

        assertThat(rejectionOf(() -> verifier.verifyStandard(BODY, ID, distant, signature)))
                .isEqualTo(Reason.TIMESTAMP_OUT_OF_TOLERANCE);
    }

    @Test
    void checksTimestampBeforeSignature() {
        String stale = secondsFromNow(-3600);

        assertThat(rejectionOf(() -> verifier.verifyStandard(BODY, ID, stale, "v1,garbage")))
                .isEqualTo(Reason.TIMESTAMP_OUT_OF_TOLERANCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "-1700000000", "1700000000.5", "1e9", "+1700000000", "9999999999999999999"})
    void rejectsTimestampThatIsNotUnixSeconds(String timestamp) {
        String signature = v1(SECRET, ID, timestamp, BODY);

        assertThat(rejectionOf(() -> verifier.verifyStandard(BODY, ID, timestamp, signature)))
                .isEqualTo(Reason.MALFORMED_HEADER);
    }

    @Test
    void acceptsAnyOfSeveralSignaturesDuringRotation() {
        String signatures = v1(OTHER_SECRET, ID, TIMESTAMP, BODY) + " " + v1(SECRET, ID, TIMESTAMP, BODY);

        assertThatCode(() -> verifier.verifyStandard(BODY, ID, TIMESTAMP, signatures)).doesNotThrowAnyException();
    }

    @Test
    void ignoresSignaturesWithOtherVersionPrefixes() {
        String signatures = "v1a,c29tZSBhc3ltbWV0cmljIHNpZ25hdHVyZQ== " + v1(SECRET, ID, TIMESTAMP, BODY);

        assertThatCode(() -> verifier.verifyStandard(BODY, ID, TIMESTAMP, signatures)).doesNotThrowAnyException();
    }

    @Test
    void doesNotAcceptAValidSignatureUnderAnotherVersionPrefix() {
        String signature = "v2," + standardSignature(SECRET, ID, TIMESTAMP, BODY);

        assertThat(rejectionOf(() -> verifier.verifyStandard(BODY, ID, TIMESTAMP, signature)))
                .isEqualTo(Reason.SIGNATURE_MISMATCH);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1,not-base64!", "v1,", "v1,AAAA", "justasignature"})
    void rejectsMalformedSignatureEntry(String signature) {
        assertThat(rejectionOf(() -> verifier.verifyStandard(BODY, ID, TIMESTAMP, signature)))
                .isEqualTo(Reason.MALFORMED_HEADER);
    }

    @Test
    void rejectsMissingId() {
        String signature = v1(SECRET, ID, TIMESTAMP, BODY);

        assertThat(rejectionOf(() -> verifier.verifyStandard(BODY, null, TIMESTAMP, signature)))
                .isEqualTo(Reason.MISSING_HEADER);
    }

    @Test
    void rejectsMissingTimestamp() {
        String signature = v1(SECRET, ID, TIMESTAMP, BODY);

        assertThat(rejectionOf(() -> verifier.verifyStandard(BODY, ID, null, signature)))
                .isEqualTo(Reason.MISSING_HEADER);
    }

    @Test
    void rejectsMissingSignature() {
        assertThat(rejectionOf(() -> verifier.verifyStandard(BODY, ID, TIMESTAMP, ""))).isEqualTo(Reason.MISSING_HEADER);
    }
}
