package io.chatwire.verify;

import static io.chatwire.verify.Fixtures.BODY;
import static io.chatwire.verify.Fixtures.ID;
import static io.chatwire.verify.Fixtures.OTHER_SECRET;
import static io.chatwire.verify.Fixtures.SECRET;
import static io.chatwire.verify.Fixtures.TIMESTAMP;
import static io.chatwire.verify.Fixtures.chatDataSignature;
import static io.chatwire.verify.Fixtures.rejectionOf;
import static io.chatwire.verify.Fixtures.standardSignature;
import static io.chatwire.verify.Fixtures.verifier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.sun.net.httpserver.Headers;
import io.chatwire.verify.WebhookVerificationException.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class HeaderMapVerificationTest {

    private final WebhookVerifier verifier = verifier(SECRET);

    private static Map<String, List<String>> standardHeaders() {
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("webhook-id", List.of(ID));
        headers.put("webhook-timestamp", List.of(TIMESTAMP));
        headers.put("webhook-signature", List.of("v1," + standardSignature(SECRET, ID, TIMESTAMP, BODY)));
        return headers;
    }

    private static Map<String, List<String>> chatDataHeaders() {
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("x-chat-data-hmac-sha256", List.of(chatDataSignature(SECRET, BODY)));
        return headers;
    }

    /** What the Chatwire server sends: both styles on every request. */
    private static Map<String, List<String>> bothStyles() {
        Map<String, List<String>> headers = standardHeaders();
        headers.putAll(chatDataHeaders());
        return headers;
    }

    @Test
    void acceptsRequestCarryingBothStyles() {
        assertThatCode(() -> verifier.verify(BODY, bothStyles())).doesNotThrowAnyException();
    }

    @Test
    void verifiesStandardHeadersWhenPresent() {
        assertThatCode(() -> verifier.verify(BODY, standardHeaders())).doesNotThrowAnyException();
    }

    @Test
    void fallsBackToChatDataHeaderWithoutStandardHeaders() {
        assertThatCode(() -> verifier.verify(BODY, chatDataHeaders())).doesNotThrowAnyException();
    }

    @Test
    void prefersStandardHeadersOverChatData() {
        Map<String, List<String>> headers = bothStyles();
        headers.put("webhook-signature", List.of("v1," + standardSignature(OTHER_SECRET, ID, TIMESTAMP, BODY)));

        assertThat(rejectionOf(() -> verifier.verify(BODY, headers))).isEqualTo(Reason.SIGNATURE_MISMATCH);
    }

    @Test
    void doesNotFallBackToChatDataWhenAStandardHeaderIsMissing() {
        Map<String, List<String>> headers = bothStyles();
        headers.remove("webhook-timestamp");

        assertThat(rejectionOf(() -> verifier.verify(BODY, headers))).isEqualTo(Reason.MISSING_HEADER);
    }

    @Test
    void rejectsRequestWithoutAnySignatureHeader() {
        Map<String, List<String>> headers = Map.of("content-type", List.of("application/json"));

        assertThat(rejectionOf(() -> verifier.verify(BODY, headers))).isEqualTo(Reason.MISSING_HEADER);
    }

    @Test
    void headerNamesAreCaseInsensitive() {
        Map<String, List<String>> headers = new HashMap<>();
        bothStyles().forEach((name, values) -> headers.put(name.toUpperCase(Locale.ROOT), values));

        assertThatCode(() -> verifier.verify(BODY, headers)).doesNotThrowAnyException();
    }

    @Test
    void worksWithJdkHttpServerHeaders() {
        Headers headers = new Headers();
        bothStyles().forEach(headers::put);

        assertThatCode(() -> verifier.verify(BODY, headers)).doesNotThrowAnyException();
    }

    @Test
    void worksWithServletStyleCaseInsensitiveMap() {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Webhook-Id", List.of(ID));
        headers.put("Webhook-Timestamp", List.of(TIMESTAMP));
        headers.put("Webhook-Signature", List.of("v1," + standardSignature(SECRET, ID, TIMESTAMP, BODY)));

        assertThatCode(() -> verifier.verify(BODY, headers)).doesNotThrowAnyException();
    }

    @Test
    void rejectsDoubledHeader() {
        Map<String, List<String>> headers = bothStyles();
        headers.put("webhook-timestamp", List.of(TIMESTAMP, TIMESTAMP));

        assertThat(rejectionOf(() -> verifier.verify(BODY, headers))).isEqualTo(Reason.MALFORMED_HEADER);
    }

    @Test
    void rejectsHeaderRepeatedUnderDifferentCase() {
        Map<String, List<String>> headers = bothStyles();
        headers.put("Webhook-Id", List.of("msg_other"));

        assertThat(rejectionOf(() -> verifier.verify(BODY, headers))).isEqualTo(Reason.MALFORMED_HEADER);
    }

    @Test
    void rejectsDoubledChatDataHeaderEvenWhenStandardHeadersAreUsed() {
        Map<String, List<String>> headers = bothStyles();
        String chatData = chatDataSignature(SECRET, BODY);
        headers.put("x-chat-data-hmac-sha256", List.of(chatData, chatData));

        assertThat(rejectionOf(() -> verifier.verify(BODY, headers))).isEqualTo(Reason.MALFORMED_HEADER);
    }

    @Test
    void treatsNullHeaderValueAsMissing() {
        Map<String, List<String>> headers = bothStyles();
        headers.put("webhook-id", Arrays.asList((String) null));

        assertThat(rejectionOf(() -> verifier.verify(BODY, headers))).isEqualTo(Reason.MISSING_HEADER);
    }

    @Test
    void treatsEmptyValueListAsAbsent() {
        Map<String, List<String>> headers = chatDataHeaders();
        headers.put("webhook-id", new ArrayList<>());

        assertThatCode(() -> verifier.verify(BODY, headers)).doesNotThrowAnyException();
    }

    @Test
    void matchesHeaderNamesByAsciiCaseOnly() {
        Map<String, List<String>> headers = chatDataHeaders();
        // U+017F LATIN SMALL LETTER LONG S upper-cases to 'S', which String.equalsIgnoreCase would accept.
        headers.put("webhook-\u017Fignature", List.of("v1," + standardSignature(OTHER_SECRET, ID, TIMESTAMP, BODY)));

        assertThatCode(() -> verifier.verify(BODY, headers)).doesNotThrowAnyException();
    }
}
