package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.chatwire.testing.Waits.sleep;

import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import io.chatwire.verify.WebhookVerifier;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Events reach exactly the endpoints that want them, signed, with the Chat Data headers. */
class DeliveryTest {
    private RunningChatwire chatwire;
    private TestAccount account;
    private String chatbot;

    @BeforeEach
    void start() {
        chatwire = RunningChatwire.start();
        account = chatwire.createAccount("standard");
        chatbot = chatwire.createChatbot(account);
    }

    @AfterEach
    void stop() {
        chatwire.close();
    }

    @Test
    void deliversToEveryEnabledSubscribedEndpointAndNoOther() {
        try (TestReceiver first = TestReceiver.start();
             TestReceiver second = TestReceiver.start();
             TestReceiver disabled = TestReceiver.start();
             TestReceiver leadsOnly = TestReceiver.start()) {
            chatwire.createEndpoint(account, chatbot, first.url().toString(), "[\"chat\"]", true);
            chatwire.createEndpoint(account, chatbot, second.url().toString(), "[\"chat\",\"lead-submission\"]", true);
            chatwire.createEndpoint(account, chatbot, disabled.url().toString(), "[\"chat\"]", false);

            // A fourth endpoint would pass the limit of 3, so the lead-only one lives on a second chatbot
            // of the same account and must not see this chatbot's events.
            String other = chatwire.createChatbot(account);
            chatwire.createEndpoint(account, other, leadsOnly.url().toString(), "[\"chat\"]", true);

            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "How to integrate with Discord?"));

            await().atMost(Duration.ofSeconds(5)).until(() -> first.count() == 1 && second.count() == 1);
            assertThat(first.received().getFirst().header("webhook-id")).isEqualTo(eventId);
            assertThat(second.received().getFirst().header("webhook-id")).isEqualTo(eventId);
            // Give any wrong delivery the time it would need to show up.
            sleep(Duration.ofMillis(500));
            assertThat(disabled.count()).isZero();
            assertThat(leadsOnly.count()).isZero();
        }
    }

    @Test
    void skipsEndpointsNotSubscribedToTheEventType() {
        try (TestReceiver chats = TestReceiver.start(); TestReceiver leads = TestReceiver.start()) {
            chatwire.createEndpoint(account, chatbot, chats.url().toString(), "[\"chat\"]", true);
            chatwire.createEndpoint(account, chatbot, leads.url().toString(), "[\"lead-submission\"]", true);

            chatwire.postEvent("{\"event\":\"lead-submission\",\"chatbot_id\":\"" + chatbot
                    + "\",\"lead\":{\"uuid\":\"28239132-671d-4b1f-9d43-1c7b70985ede\",\"email\":\"a@example.com\"}}");

            await().atMost(Duration.ofSeconds(5)).until(() -> leads.count() == 1);
            sleep(Duration.ofMillis(300));
            assertThat(chats.count()).isZero();
            assertThat(leads.received().getFirst().header("x-chat-data-topic")).isEqualTo("lead-submission");
        }
    }

    @Test
    void sendsTheStoredBodyWithChatDataAndStandardWebhooksHeaders() throws Exception {
        try (TestReceiver receiver = TestReceiver.start()) {
            chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "Ünïcødé and \\\"quotes\\\" 😮"));

            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 1);
            TestReceiver.Received r = receiver.received().getFirst();
            assertThat(r.header("content-type")).isEqualTo("text/plain; charset=utf-8");
            assertThat(r.header("x-chat-data-topic")).isEqualTo("chat");
            assertThat(r.header("webhook-id")).isEqualTo(eventId);
            assertThat(r.header("webhook-signature")).startsWith("v1,");

            WebhookVerifier verifier = WebhookVerifier.forSecret(account.signingSecret());
            verifier.verifyChatData(r.body(), r.header("x-chat-data-hmac-sha256"));
            verifier.verifyStandard(r.body(), r.header("webhook-id"), r.header("webhook-timestamp"),
                    r.header("webhook-signature"));

            var stored = account.api().get("/v1/events/" + eventId);
            assertThat(stored.json().get("payload").toString()).isEqualTo(r.bodyText());
            assertThat(r.bodyText()).contains("Ünïcødé and \\\"quotes\\\" 😮");
        }
    }

    @Test
    void aHangingEndpointDoesNotDelayAHealthyOne() {
        try (TestReceiver hanging = TestReceiver.start(); TestReceiver healthy = TestReceiver.start()) {
            hanging.answering(TestReceiver.Answer.status(200).after(Duration.ofSeconds(5)));
            chatwire.createEndpoint(account, chatbot, hanging.url().toString(), "[\"chat\"]", true);
            chatwire.createEndpoint(account, chatbot, healthy.url().toString(), "[\"chat\"]", true);

            for (int i = 0; i < 5; i++) {
                chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "question " + i));
            }
            await().atMost(Duration.ofMillis(1500)).until(() -> healthy.count() == 5);
        }
    }
}
