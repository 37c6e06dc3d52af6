package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import io.chatwire.verify.WebhookVerificationException;
import io.chatwire.verify.WebhookVerifier;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An endpoint's content_type: the content-type header of its deliveries. New endpoints get text/plain
 * (Chat Data's example receiver, a Next.js route that HMACs req.body, needs the body as a string);
 * application/json is the other choice. The body and its signatures are the same either way.
 */
class EndpointContentTypeTest {
    private static final String TEXT_PLAIN = "text/plain; charset=utf-8";
    private static final String JSON = "application/json";

    private static RunningChatwire chatwire;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start();
    }

    @AfterAll
    static void stop() {
        chatwire.close();
    }

    @Test
    void aNewEndpointIsDeliveredToAsTextPlainByDefault() throws Exception {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            ApiClient.Response created = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                    "{\"url\":\"" + receiver.url() + "\"}");
            assertThat(created.text("content_type")).as(created.raw()).isEqualTo("text/plain");

            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "plain, please"));

            TestReceiver.Received r = onlyDelivery(receiver);
            assertThat(r.header("content-type")).isEqualTo(TEXT_PLAIN);
            assertSignedStoredBody(account, eventId, r);
        }
    }

    @Test
    void anEndpointThatChoseApplicationJsonIsDeliveredToAsApplicationJson() throws Exception {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            ApiClient.Response created = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                    "{\"url\":\"" + receiver.url() + "\",\"content_type\":\"application/json\"}");
            assertThat(created.status()).as(created.raw()).isEqualTo(201);
            assertThat(created.text("content_type")).isEqualTo(JSON);
            assertThat(account.api().get("/v1/endpoints/" + created.text("id")).text("content_type")).isEqualTo(JSON);

            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "json, please"));

            TestReceiver.Received r = onlyDelivery(receiver);
            assertThat(r.header("content-type")).isEqualTo(JSON);
            assertSignedStoredBody(account, eventId, r);
        }
    }

    @Test
    void patchingTheContentTypeChangesTheNextDelivery() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "before"));
            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 1);

            ApiClient.Response patched = account.api().patch("/v1/endpoints/" + endpoint,
                    "{\"content_type\":\"application/json\"}");
            assertThat(patched.status()).as(patched.raw()).isEqualTo(200);
            assertThat(patched.text("content_type")).isEqualTo(JSON);
            assertThat(patched.text("url")).isEqualTo(receiver.url().toString());
            String after = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "after"));

            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 2);
            assertThat(receiver.received().get(0).header("content-type")).isEqualTo(TEXT_PLAIN);
            assertThat(receiver.received().get(1).header("webhook-id")).isEqualTo(after);
            assertThat(receiver.received().get(1).header("content-type")).isEqualTo(JSON);
        }
    }

    @Test
    void anUnknownContentTypeIsRefusedNamingTheFieldAndChangesNothing() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String endpoint = chatwire.createEndpoint(account, chatbot, "http://127.0.0.1:9/kept", "[\"chat\"]", true);
        ApiClient api = account.api();

        assertRefusal(api.post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"http://127.0.0.1:9/new\",\"content_type\":\"application/xml\"}"), "content_type");
        assertRefusal(api.patch("/v1/endpoints/" + endpoint,
                "{\"url\":\"http://127.0.0.1:9/moved\",\"content_type\":\"text/plain; charset=utf-8\"}"), "content_type");
        assertRefusal(api.patch("/v1/endpoints/" + endpoint, "{\"content_type\":\"TEXT/PLAIN\"}"), "content_type");
        assertRefusal(api.patch("/v1/endpoints/" + endpoint, "{\"content_type\":\"\"}"), "content_type");
        assertRefusal(api.patch("/v1/endpoints/" + endpoint, "{\"content_type\":1}"), "content_type");

        assertThat(api.get("/v1/chatbots/" + chatbot + "/endpoints").json().get("data")).hasSize(1);
        ApiClient.Response unchanged = api.get("/v1/endpoints/" + endpoint);
        assertThat(unchanged.text("url")).isEqualTo("http://127.0.0.1:9/kept");
        assertThat(unchanged.text("content_type")).isEqualTo("text/plain");
    }

    @Test
    void theTestEventIsSentWithTheEndpointsContentType() throws Exception {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver plain = TestReceiver.start(); TestReceiver json = TestReceiver.start()) {
            String plainEndpoint = chatwire.createEndpoint(account, chatbot, plain.url().toString(), "[\"chat\"]", true);
            String jsonEndpoint = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                    "{\"url\":\"" + json.url() + "\",\"content_type\":\"application/json\"}").text("id");

            ApiClient.Response plainTest = account.api().post("/v1/endpoints/" + plainEndpoint + "/test", "");
            ApiClient.Response jsonTest = account.api().post("/v1/endpoints/" + jsonEndpoint + "/test", "");

            assertThat(plainTest.json().path("attempt").path("outcome").asText()).as(plainTest.raw()).isEqualTo("delivered");
            assertThat(jsonTest.json().path("attempt").path("outcome").asText()).as(jsonTest.raw()).isEqualTo("delivered");
            assertThat(plain.received()).singleElement()
                    .satisfies(r -> assertThat(r.header("content-type")).isEqualTo(TEXT_PLAIN));
            assertThat(json.received()).singleElement()
                    .satisfies(r -> assertThat(r.header("content-type")).isEqualTo(JSON));
            assertBothSignaturesVerify(account, plain.received().getFirst());
            assertBothSignaturesVerify(account, json.received().getFirst());
        }
    }

    @Test
    void theChatDataAddWebhookCreatesATextPlainEndpoint() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            ApiClient.Response added = account.api().post("/api/v2/add-webhook", "{\"url\":\"" + receiver.url()
                    + "\",\"event\":\"chat\",\"chatbotId\":\"" + chatbot + "\"}");
            assertThat(added.status()).as(added.raw()).isEqualTo(201);

            assertThat(account.api().get("/v1/endpoints/" + added.text("webhookId")).text("content_type"))
                    .isEqualTo("text/plain");
            chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "from an automation tool"));
            assertThat(onlyDelivery(receiver).header("content-type")).isEqualTo(TEXT_PLAIN);
        }
    }

    @Test
    void addingAnEventToAnExistingWebhookKeepsItsContentType() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String url = "http://127.0.0.1:9/crm";
        ApiClient.Response created = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + url + "\",\"events\":[\"chat\"],\"content_type\":\"application/json\"}");

        ApiClient.Response added = account.api().post("/api/v2/add-webhook",
                "{\"url\":\"" + url + "\",\"event\":\"lead-submission\",\"chatbotId\":\"" + chatbot + "\"}");

        assertThat(added.status()).as(added.raw()).isEqualTo(200);
        assertThat(added.text("webhookId")).isEqualTo(created.text("id"));
        assertThat(account.api().get("/v1/endpoints/" + created.text("id")).text("content_type")).isEqualTo(JSON);
    }

    // --- helpers --------------------------------------------------------------------------------

    private static TestReceiver.Received onlyDelivery(TestReceiver receiver) {
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 1);
        return receiver.received().getFirst();
    }

    /** The body is the stored event, byte for byte, and both signatures over it verify. */
    private static void assertSignedStoredBody(TestAccount account, String eventId, TestReceiver.Received r)
            throws WebhookVerificationException {
        assertThat(r.header("webhook-id")).isEqualTo(eventId);
        assertThat(account.api().get("/v1/events/" + eventId).json().get("payload").toString()).isEqualTo(r.bodyText());
        assertBothSignaturesVerify(account, r);
    }

    private static void assertBothSignaturesVerify(TestAccount account, TestReceiver.Received r)
            throws WebhookVerificationException {
        WebhookVerifier verifier = WebhookVerifier.forSecret(account.signingSecret());
        verifier.verifyChatData(r.body(), r.header("x-chat-data-hmac-sha256"));
        verifier.verifyStandard(r.body(), r.header("webhook-id"), r.header("webhook-timestamp"),
                r.header("webhook-signature"));
    }

    private static void assertRefusal(ApiClient.Response r, String mentioning) {
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.text("error")).as(r.raw()).isEqualTo("invalid_field");
        assertThat(r.text("message")).as(r.raw()).contains(mentioning);
    }
}
