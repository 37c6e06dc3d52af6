package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.chatwire.testing.Waits.sleep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator's account administration: plan and name, suspension, API keys, endpoint limits. */
class AccountAdminTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static RunningChatwire chatwire;

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start();
    }

    @AfterAll
    static void stop() {
        chatwire.close();
    }

    /** ApiClient has no PUT; this sends one the same way. */
    private static ApiClient.Response put(String token, String path, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(chatwire.baseUrl() + path))
                .PUT(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode parsed;
            try {
                parsed = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
            } catch (IOException notJson) {
                parsed = JSON.missingNode();
            }
            return new ApiClient.Response(r.statusCode(), parsed, r.body(), r.headers().map());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static ApiClient.Response registerEndpoint(TestAccount account, String chatbot, String url) {
        return account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + url + "\",\"events\":[\"chat\"],\"enabled\":false}");
    }

    private static JsonNode deliveriesOf(TestAccount account, String eventId) {
        ApiClient.Response r = account.api().get("/v1/events/" + eventId + "/deliveries");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json().get("data");
    }

    // --- plan and name --------------------------------------------------------------------------

    @Test
    void patchChangesThePlanAndTheName() {
        TestAccount account = chatwire.createAccount("standard");

        ApiClient.Response r = chatwire.operator().patch("/v1/accounts/" + account.id(),
                "{\"name\":\"Acme Corp\",\"plan\":\"professional\"}");

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.text("name")).isEqualTo("Acme Corp");
        assertThat(r.text("plan")).isEqualTo("professional");
        ApiClient.Response read = chatwire.operator().get("/v1/accounts/" + account.id());
        assertThat(read.text("name")).isEqualTo("Acme Corp");
        assertThat(read.text("plan")).isEqualTo("professional");
        assertThat(account.api().get("/v1/account").text("plan")).isEqualTo("professional");
    }

    @Test
    void patchWithOnlyANameKeepsThePlan() {
        TestAccount account = chatwire.createAccount("standard");

        ApiClient.Response r = chatwire.operator().patch("/v1/accounts/" + account.id(), "{\"name\":\"Only renamed\"}");

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.text("name")).isEqualTo("Only renamed");
        assertThat(r.text("plan")).isEqualTo("standard");
    }

    @Test
    void patchWithAnUnknownPlanIsRefusedAndChangesNothing() {
        TestAccount account = chatwire.createAccount("standard");

        ApiClient.Response r = chatwire.operator().patch("/v1/accounts/" + account.id(),
                "{\"name\":\"Should not stick\",\"plan\":\"platinum\"}");

        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        ApiClient.Response read = chatwire.operator().get("/v1/accounts/" + account.id());
        assertThat(read.text("plan")).isEqualTo("standard");
        assertThat(read.text("name")).isEqualTo("Test standard");
    }

    @Test
    void patchOfAnUnknownAccountIsNotFound() {
        assertThat(chatwire.operator().patch("/v1/accounts/acct_nope", "{\"name\":\"x\"}").status()).isEqualTo(404);
    }

    @Test
    void aDowngradeToFreeForbidsEndpointRegistration() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        assertThat(registerEndpoint(account, chatbot, "http://127.0.0.1:9/before").status()).isEqualTo(201);

        assertThat(chatwire.operator().patch("/v1/accounts/" + account.id(), "{\"plan\":\"free\"}").status())
                .isEqualTo(200);

        ApiClient.Response r = registerEndpoint(account, chatbot, "http://127.0.0.1:9/after");
        assertThat(r.status()).as(r.raw()).isEqualTo(403);
        assertThat(r.text("error")).isEqualTo("plan_without_webhooks");
    }

    @Test
    void aDowngradeToFreeFansNewEventsOutToNobody() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            chatwire.operator().patch("/v1/accounts/" + account.id(), "{\"plan\":\"free\"}");

            ApiClient.Response r = chatwire.operator().post("/v1/events", RunningChatwire.chatEvent(chatbot, "free now"));

            assertThat(r.status()).as(r.raw()).isEqualTo(202);
            assertThat(r.json().path("deliveries").asInt()).isZero();
            assertThat(account.api().get("/v1/events/" + r.text("id")).status()).isEqualTo(200);
            sleep(Duration.ofMillis(500));
            assertThat(receiver.count()).isZero();
        }
    }

    @Test
    void aDowngradedAccountsTestEventAndResendAreNotSent() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "while paid"));
            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 1);
            chatwire.operator().patch("/v1/accounts/" + account.id(), "{\"plan\":\"free\"}");

            ApiClient.Response test = account.api().post("/v1/endpoints/" + endpoint + "/test", "");
            ApiClient.Response resend = account.api().post("/v1/events/" + eventId + "/resend",
                    "{\"endpoint_id\":\"" + endpoint + "\"}");

            assertThat(test.status()).as(test.raw()).isBetween(200, 499);
            assertThat(resend.status()).as(resend.raw()).isBetween(200, 499);
            sleep(Duration.ofMillis(700));
            assertThat(receiver.count()).as("the free plan has no webhooks: nothing more may be sent").isEqualTo(1);
        }
    }

    // --- suspension -----------------------------------------------------------------------------

    @Test
    void aSuspendedAccountsEventsAreAcceptedAndStoredButNotDelivered() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);

            ApiClient.Response suspended = chatwire.operator().post("/v1/accounts/" + account.id() + "/suspend", "");
            assertThat(suspended.status()).as(suspended.raw()).isEqualTo(200);
            assertThat(suspended.text("status")).isEqualTo("suspended");

            ApiClient.Response r = chatwire.operator().post("/v1/events", RunningChatwire.chatEvent(chatbot, "held"));
            assertThat(r.status()).as(r.raw()).isEqualTo(202);
            assertThat(r.json().path("deliveries").asInt()).isEqualTo(1);
            String eventId = r.text("id");

            sleep(Duration.ofSeconds(1));
            assertThat(receiver.count()).isZero();
            assertThat(chatwire.operator().get("/v1/accounts/" + account.id()).text("status")).isEqualTo("suspended");
            JsonNode deliveries = deliveriesOf(account, eventId);
            assertThat(deliveries).hasSize(1);
            assertThat(deliveries.get(0).path("status").asText()).isEqualTo("pending");
            assertThat(deliveries.get(0).get("attempts")).isEmpty();
        }
    }

    @Test
    void reinstatingDeliversTheHeldDeliveries() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            chatwire.operator().post("/v1/accounts/" + account.id() + "/suspend", "");
            String first = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "held 1"));
            String second = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "held 2"));
            sleep(Duration.ofMillis(500));
            assertThat(receiver.count()).isZero();

            ApiClient.Response reinstated = chatwire.operator().post("/v1/accounts/" + account.id() + "/reinstate", "");

            assertThat(reinstated.status()).as(reinstated.raw()).isEqualTo(200);
            assertThat(reinstated.text("status")).isEqualTo("active");
            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 2);
            assertThat(receiver.received()).extracting(x -> x.header("webhook-id"))
                    .containsExactlyInAnyOrder(first, second);
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    "delivered".equals(deliveriesOf(account, first).get(0).path("status").asText())
                            && "delivered".equals(deliveriesOf(account, second).get(0).path("status").asText()));
        }
    }

    @Test
    void aSuspendedAccountsResendIsNotDeliveredWhileSuspended() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "before suspension"));
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    "delivered".equals(deliveriesOf(account, eventId).get(0).path("status").asText()));
            chatwire.operator().post("/v1/accounts/" + account.id() + "/suspend", "");

            ApiClient.Response r = account.api().post("/v1/events/" + eventId + "/resend",
                    "{\"endpoint_id\":\"" + endpoint + "\"}");

            assertThat(r.status()).as(r.raw()).isBetween(200, 499);
            sleep(Duration.ofSeconds(1));
            assertThat(receiver.count()).as("a suspended account's resend must be held, not sent").isEqualTo(1);
        }
    }

    @Test
    void aSuspendedAccountsTestEventIsNotSent() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            chatwire.operator().post("/v1/accounts/" + account.id() + "/suspend", "");

            ApiClient.Response r = account.api().post("/v1/endpoints/" + endpoint + "/test", "");

            assertThat(r.status()).as(r.raw()).isBetween(200, 499);
            sleep(Duration.ofMillis(500));
            assertThat(receiver.count()).as("a suspended account sends nothing, test events included").isZero();
        }
    }

    // --- API keys -------------------------------------------------------------------------------

    @Test
    void aNewApiKeyIsShownOnceAndWorks() {
        TestAccount account = chatwire.createAccount("standard");

        ApiClient.Response created = chatwire.operator().post("/v1/accounts/" + account.id() + "/api-keys", "");

        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        String key = created.text("api_key");
        assertThat(key).startsWith("cwk_").isNotEqualTo(account.apiKey());
        assertThat(created.text("id")).isNotBlank();
        assertThat(key).startsWith(created.text("prefix"));
        assertThat(created.header("Cache-Control")).contains("no-store");

        ApiClient.Response me = account.api().as(key).get("/v1/account");
        assertThat(me.status()).as(me.raw()).isEqualTo(200);
        assertThat(me.text("id")).isEqualTo(account.id());
    }

    @Test
    void theKeyListShowsNoSecrets() {
        TestAccount account = chatwire.createAccount("standard");
        String key = chatwire.operator().post("/v1/accounts/" + account.id() + "/api-keys", "").text("api_key");

        ApiClient.Response list = chatwire.operator().get("/v1/accounts/" + account.id() + "/api-keys");

        assertThat(list.status()).as(list.raw()).isEqualTo(200);
        JsonNode keys = list.json().get("data");
        assertThat(keys).hasSize(2);
        for (JsonNode k : keys) {
            assertThat(keys(k)).contains("id", "prefix", "created_at");
            assertThat(keys(k)).isSubsetOf("id", "prefix", "created_at", "revoked_at");
        }
        assertThat(list.raw()).doesNotContain(key).doesNotContain(account.apiKey());
    }

    @Test
    void aRevokedKeyIsUnauthorizedWhileTheOtherKeyStillWorks() {
        TestAccount account = chatwire.createAccount("standard");
        ApiClient.Response created = chatwire.operator().post("/v1/accounts/" + account.id() + "/api-keys", "");
        String key = created.text("api_key");
        assertThat(account.api().as(key).get("/v1/account").status()).isEqualTo(200);

        ApiClient.Response revoked = chatwire.operator()
                .delete("/v1/accounts/" + account.id() + "/api-keys/" + created.text("id"));

        assertThat(revoked.status()).as(revoked.raw()).isEqualTo(204);
        assertThat(account.api().as(key).get("/v1/account").status()).isEqualTo(401);
        assertThat(account.api().get("/v1/account").status()).isEqualTo(200);
        JsonNode listed = chatwire.operator().get("/v1/accounts/" + account.id() + "/api-keys").json().get("data");
        for (JsonNode k : listed) {
            assertThat(k.has("revoked_at")).as(k.toString()).isEqualTo(k.path("id").asText().equals(created.text("id")));
        }
    }

    @Test
    void revokingAnUnknownKeyOrAnotherAccountsKeyIsNotFound() {
        TestAccount account = chatwire.createAccount("standard");
        TestAccount other = chatwire.createAccount("standard");
        String othersKey = chatwire.operator().post("/v1/accounts/" + other.id() + "/api-keys", "").text("id");

        assertThat(chatwire.operator().delete("/v1/accounts/" + account.id() + "/api-keys/key_nope").status())
                .isEqualTo(404);
        assertThat(chatwire.operator().delete("/v1/accounts/" + account.id() + "/api-keys/" + othersKey).status())
                .isEqualTo(404);
        assertThat(chatwire.operator().get("/v1/accounts/" + other.id() + "/api-keys").json().get("data"))
                .allSatisfy(k -> assertThat(k.has("revoked_at")).isFalse());
    }

    // --- endpoint limit -------------------------------------------------------------------------

    @Test
    void aRaisedEndpointLimitAdmitsAFourthAndFifthEndpointButNotASixth() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        for (int i = 1; i <= 3; i++) {
            assertThat(registerEndpoint(account, chatbot, "http://127.0.0.1:9/hook-" + i).status()).isEqualTo(201);
        }
        assertThat(registerEndpoint(account, chatbot, "http://127.0.0.1:9/hook-4").status()).isEqualTo(409);

        ApiClient.Response raised = put(RunningChatwire.ADMIN_TOKEN, "/v1/chatbots/" + chatbot + "/endpoint-limit",
                "{\"endpoint_limit\":5}");

        assertThat(raised.status()).as(raised.raw()).isEqualTo(200);
        assertThat(raised.json().path("endpoint_limit").asInt()).isEqualTo(5);
        assertThat(registerEndpoint(account, chatbot, "http://127.0.0.1:9/hook-4").status()).isEqualTo(201);
        assertThat(registerEndpoint(account, chatbot, "http://127.0.0.1:9/hook-5").status()).isEqualTo(201);
        ApiClient.Response sixth = registerEndpoint(account, chatbot, "http://127.0.0.1:9/hook-6");
        assertThat(sixth.status()).as(sixth.raw()).isEqualTo(409);
        assertThat(sixth.text("error")).isEqualTo("endpoint_limit_reached");
    }

    @Test
    void aNullEndpointLimitRestoresTheDefaultOfThree() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        put(RunningChatwire.ADMIN_TOKEN, "/v1/chatbots/" + chatbot + "/endpoint-limit", "{\"endpoint_limit\":5}");

        ApiClient.Response restored = put(RunningChatwire.ADMIN_TOKEN, "/v1/chatbots/" + chatbot + "/endpoint-limit",
                "{\"endpoint_limit\":null}");

        assertThat(restored.status()).as(restored.raw()).isEqualTo(200);
        assertThat(restored.json().path("endpoint_limit").asInt()).isEqualTo(3);
        assertThat(account.api().get("/v1/chatbots/" + chatbot).json().path("endpoint_limit").asInt()).isEqualTo(3);
        for (int i = 1; i <= 3; i++) {
            assertThat(registerEndpoint(account, chatbot, "http://127.0.0.1:9/hook-" + i).status()).isEqualTo(201);
        }
        assertThat(registerEndpoint(account, chatbot, "http://127.0.0.1:9/hook-4").status()).isEqualTo(409);
    }

    @Test
    void anEndpointLimitBodyWithoutTheFieldOrWithAWrongTypeIsRefused() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String path = "/v1/chatbots/" + chatbot + "/endpoint-limit";

        assertThat(put(RunningChatwire.ADMIN_TOKEN, path, "{}").status()).isEqualTo(400);
        assertThat(put(RunningChatwire.ADMIN_TOKEN, path, "{\"endpoint_limit\":\"5\"}").status()).isEqualTo(400);
        assertThat(put(RunningChatwire.ADMIN_TOKEN, path, "{\"endpoint_limit\":-1}").status()).isEqualTo(400);
        assertThat(put(RunningChatwire.ADMIN_TOKEN, "/v1/chatbots/no-such-bot/endpoint-limit",
                "{\"endpoint_limit\":5}").status()).isEqualTo(404);
        assertThat(account.api().get("/v1/chatbots/" + chatbot).json().path("endpoint_limit").asInt()).isEqualTo(3);
    }

    // --- who may call ---------------------------------------------------------------------------

    @Test
    void theseRoutesRefuseAnAccountKey() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        ApiClient api = account.api();
        String base = "/v1/accounts/" + account.id();
        String keyId = chatwire.operator().get(base + "/api-keys").json().get("data").get(0).path("id").asText();

        assertThat(api.patch(base, "{\"plan\":\"professional\"}").status()).isEqualTo(403);
        assertThat(api.post(base + "/suspend", "").status()).isEqualTo(403);
        assertThat(api.post(base + "/reinstate", "").status()).isEqualTo(403);
        assertThat(api.post(base + "/api-keys", "").status()).isEqualTo(403);
        assertThat(api.get(base + "/api-keys").status()).isEqualTo(403);
        assertThat(api.delete(base + "/api-keys/" + keyId).status()).isEqualTo(403);
        assertThat(put(account.apiKey(), "/v1/chatbots/" + chatbot + "/endpoint-limit", "{\"endpoint_limit\":50}")
                .status()).isEqualTo(403);

        ApiClient.Response read = chatwire.operator().get(base);
        assertThat(read.text("plan")).isEqualTo("standard");
        assertThat(read.text("status")).isEqualTo("active");
        assertThat(chatwire.operator().get(base + "/api-keys").json().get("data")).hasSize(1);
        assertThat(api.get("/v1/account").status()).isEqualTo(200);
        assertThat(api.get("/v1/chatbots/" + chatbot).json().path("endpoint_limit").asInt()).isEqualTo(3);
    }

    @Test
    void theseRoutesRefuseAMissingToken() {
        TestAccount account = chatwire.createAccount("standard");
        String base = "/v1/accounts/" + account.id();

        assertThat(chatwire.anonymous().patch(base, "{\"plan\":\"free\"}").status()).isEqualTo(401);
        assertThat(chatwire.anonymous().post(base + "/suspend", "").status()).isEqualTo(401);
        assertThat(chatwire.anonymous().post(base + "/api-keys", "").status()).isEqualTo(401);
        assertThat(put(null, "/v1/chatbots/x/endpoint-limit", "{\"endpoint_limit\":5}").status()).isEqualTo(401);
    }
}
