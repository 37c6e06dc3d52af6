package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static io.chatwire.testing.Waits.sleep;

import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import io.chatwire.verify.WebhookVerificationException;
import io.chatwire.verify.WebhookVerifier;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rotating a signing secret: during the grace period the Standard Webhooks header is signed with the
 * new and the old secret (a receiver holding either verifies), the Chat Data header only with the new
 * one; afterwards only the new secret verifies. Endpoints may have secrets of their own.
 */
class SecretRotationTest {
    private static final Duration GRACE = Duration.ofSeconds(2);

    private static RunningChatwire chatwire;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start(Map.of("CHATWIRE_SECRET_GRACE_PERIOD", "2s"));
    }

    @AfterAll
    static void stop() {
        chatwire.close();
    }

    private static TestReceiver.Received deliver(TestReceiver receiver, String chatbot, String question) {
        int before = receiver.count();
        String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, question));
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.count() > before);
        TestReceiver.Received r = receiver.received().get(before);
        assertThat(r.header("webhook-id")).isEqualTo(eventId);
        return r;
    }

    private static void verifyStandard(WebhookVerifier verifier, TestReceiver.Received r)
            throws WebhookVerificationException {
        verifier.verifyStandard(r.body(), r.header("webhook-id"), r.header("webhook-timestamp"),
                r.header("webhook-signature"));
    }

    private static void verifyChatData(WebhookVerifier verifier, TestReceiver.Received r)
            throws WebhookVerificationException {
        verifier.verifyChatData(r.body(), r.header("x-chat-data-hmac-sha256"));
    }

    private static ApiClient.Response rotate(TestAccount account) {
        ApiClient.Response r = account.api().post("/v1/account/signing-secret/rotate", "");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r;
    }

    // --- the account's secret -------------------------------------------------------------------

    @Test
    void rotatingAnswersTheNewSecretAndWhenTheOldOneExpires() {
        TestAccount account = chatwire.createAccount("standard");
        Instant before = Instant.now();

        ApiClient.Response r = rotate(account);

        Instant after = Instant.now();
        String fresh = r.text("signing_secret");
        assertThat(fresh).startsWith("whsec_").isNotEqualTo(account.signingSecret());
        assertThat(r.header("Cache-Control")).contains("no-store");
        Instant expires = Instant.parse(r.text("previous_secret_expires_at"));
        assertThat(expires).isBetween(before.plus(GRACE).minusMillis(200), after.plus(GRACE).plusMillis(200));

        ApiClient.Response read = account.api().get("/v1/account/signing-secret");
        assertThat(read.text("signing_secret")).isEqualTo(fresh);
        assertThat(Instant.parse(read.text("previous_secret_expires_at"))).isEqualTo(expires);
    }

    @Test
    void duringTheGracePeriodTheStandardSignatureVerifiesWithTheOldOrTheNewSecret() throws Exception {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String fresh = rotate(account).text("signing_secret");

            TestReceiver.Received r = deliver(receiver, chatbot, "during grace");

            assertThat(r.header("webhook-signature").split(" "))
                    .hasSize(2).allSatisfy(s -> assertThat(s).startsWith("v1,"));
            verifyStandard(WebhookVerifier.forSecret(account.signingSecret()), r);
            verifyStandard(WebhookVerifier.forSecret(fresh), r);
        }
    }

    @Test
    void duringTheGracePeriodTheChatDataSignatureUsesOnlyTheNewSecret() throws Exception {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String fresh = rotate(account).text("signing_secret");

            TestReceiver.Received r = deliver(receiver, chatbot, "chat data during grace");

            verifyChatData(WebhookVerifier.forSecret(fresh), r);
            assertThatThrownBy(() -> verifyChatData(WebhookVerifier.forSecret(account.signingSecret()), r))
                    .isInstanceOf(WebhookVerificationException.class);
        }
    }

    @Test
    void afterTheGracePeriodOnlyTheNewSecretVerifies() throws Exception {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String fresh = rotate(account).text("signing_secret");

            sleep(GRACE.plusMillis(500));
            TestReceiver.Received r = deliver(receiver, chatbot, "after grace");

            assertThat(r.header("webhook-signature").split(" ")).hasSize(1);
            verifyStandard(WebhookVerifier.forSecret(fresh), r);
            verifyChatData(WebhookVerifier.forSecret(fresh), r);
            WebhookVerifier old = WebhookVerifier.forSecret(account.signingSecret());
            assertThatThrownBy(() -> verifyStandard(old, r)).isInstanceOf(WebhookVerificationException.class);
            assertThatThrownBy(() -> verifyChatData(old, r)).isInstanceOf(WebhookVerificationException.class);
            ApiClient.Response read = account.api().get("/v1/account/signing-secret");
            assertThat(read.text("signing_secret")).isEqualTo(fresh);
            assertThat(read.json().has("previous_secret_expires_at")).isFalse();
        }
    }

    @Test
    void aSecretThatWasNeverRotatedHasNoExpiry() {
        TestAccount account = chatwire.createAccount("standard");

        ApiClient.Response read = account.api().get("/v1/account/signing-secret");

        assertThat(read.status()).isEqualTo(200);
        assertThat(read.text("signing_secret")).isEqualTo(account.signingSecret());
        assertThat(read.json().has("previous_secret_expires_at")).isFalse();
    }

    // --- an endpoint's own secret ---------------------------------------------------------------

    @Test
    void anEndpointWithItsOwnSecretIsSignedWithItWhileAnotherKeepsTheAccountsSecret() throws Exception {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver own = TestReceiver.start(); TestReceiver shared = TestReceiver.start()) {
            String ownEndpoint = chatwire.createEndpoint(account, chatbot, own.url().toString(), "[\"chat\"]", true);
            chatwire.createEndpoint(account, chatbot, shared.url().toString(), "[\"chat\"]", true);

            ApiClient.Response rotated = account.api().post("/v1/endpoints/" + ownEndpoint + "/secret/rotate", "");

            assertThat(rotated.status()).as(rotated.raw()).isEqualTo(200);
            String endpointSecret = rotated.text("signing_secret");
            assertThat(endpointSecret).startsWith("whsec_").isNotEqualTo(account.signingSecret());
            assertThat(account.api().get("/v1/endpoints/" + ownEndpoint).json().path("own_secret").asBoolean()).isTrue();

            chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "two secrets"));
            await().atMost(Duration.ofSeconds(5)).until(() -> own.count() == 1 && shared.count() == 1);
            TestReceiver.Received toOwn = own.received().getFirst();
            TestReceiver.Received toShared = shared.received().getFirst();

            verifyChatData(WebhookVerifier.forSecret(endpointSecret), toOwn);
            assertThatThrownBy(() -> verifyChatData(WebhookVerifier.forSecret(account.signingSecret()), toOwn))
                    .isInstanceOf(WebhookVerificationException.class);
            verifyChatData(WebhookVerifier.forSecret(account.signingSecret()), toShared);
            verifyStandard(WebhookVerifier.forSecret(account.signingSecret()), toShared);
            assertThatThrownBy(() -> verifyChatData(WebhookVerifier.forSecret(endpointSecret), toShared))
                    .isInstanceOf(WebhookVerificationException.class);
        }
    }

    @Test
    void theEndpointSecretRouteShowsWhatSignsNow() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String own = chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/own", "[\"chat\"]", true);
        String shared = chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/shared", "[\"chat\"]", true);
        String endpointSecret = account.api().post("/v1/endpoints/" + own + "/secret/rotate", "").text("signing_secret");

        ApiClient.Response ownRead = account.api().get("/v1/endpoints/" + own + "/secret");
        ApiClient.Response sharedRead = account.api().get("/v1/endpoints/" + shared + "/secret");

        assertThat(ownRead.status()).isEqualTo(200);
        assertThat(ownRead.text("signing_secret")).isEqualTo(endpointSecret);
        assertThat(ownRead.header("Cache-Control")).contains("no-store");
        assertThat(sharedRead.status()).isEqualTo(200);
        assertThat(sharedRead.text("signing_secret")).isEqualTo(account.signingSecret());
        assertThat(account.api().get("/v1/endpoints/" + shared).json().path("own_secret").asBoolean()).isFalse();
    }

    @Test
    void deletingTheEndpointSecretRevertsToTheAccountsSecret() throws Exception {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String endpointSecret = account.api().post("/v1/endpoints/" + endpoint + "/secret/rotate", "")
                    .text("signing_secret");

            ApiClient.Response cleared = account.api().delete("/v1/endpoints/" + endpoint + "/secret");

            assertThat(cleared.status()).as(cleared.raw()).isEqualTo(204);
            assertThat(account.api().get("/v1/endpoints/" + endpoint + "/secret").text("signing_secret"))
                    .isEqualTo(account.signingSecret());
            assertThat(account.api().get("/v1/endpoints/" + endpoint).json().path("own_secret").asBoolean()).isFalse();
            TestReceiver.Received r = deliver(receiver, chatbot, "back to the account's secret");
            verifyChatData(WebhookVerifier.forSecret(account.signingSecret()), r);
            verifyStandard(WebhookVerifier.forSecret(account.signingSecret()), r);
            assertThatThrownBy(() -> verifyChatData(WebhookVerifier.forSecret(endpointSecret), r))
                    .isInstanceOf(WebhookVerificationException.class);
        }
    }

    @Test
    void rotatingTheAccountSecretDoesNotChangeAnEndpointsOwnSecret() throws Exception {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String endpointSecret = account.api().post("/v1/endpoints/" + endpoint + "/secret/rotate", "")
                    .text("signing_secret");

            rotate(account);

            assertThat(account.api().get("/v1/endpoints/" + endpoint + "/secret").text("signing_secret"))
                    .isEqualTo(endpointSecret);
            verifyChatData(WebhookVerifier.forSecret(endpointSecret), deliver(receiver, chatbot, "own secret stays"));
        }
    }
}
