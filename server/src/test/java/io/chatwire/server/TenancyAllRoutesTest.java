package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every route of SettingsRoutes, EventRoutes and ChatDataRoutes, called with a second account's key
 * against the first account's ids: account routes answer 404 (or, for lists and filters, only the
 * caller's own data), operator routes 403, never the first account's data, and the first account's
 * data is unchanged afterwards. A route added to those classes without a case here fails
 * {@link #everyRegisteredRouteIsWalked()}.
 */
class TenancyAllRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String OWNER_BOT_NAME = "Owner's private bot";
    private static final String OWNER_QUESTION = "owner-secret-question";
    private static final String OWNER_PATH = "/owner-private-hook";

    private static RunningChatwire chatwire;
    private static TestReceiver ownerReceiver;
    private static TestAccount owner;
    private static TestAccount stranger;
    private static String ownerBot;
    private static String ownerEndpoint;
    private static String ownerUrl;
    private static String ownerEvent;
    private static String ownerKeyId;
    private static String strangerBot;
    private static String strangerEndpoint;
    private static String strangerEvent;
    private static Map<String, String> ownerSnapshot;
    private static int ownerRequests;

    /** One request of the walk: the route as registered, the request made, and what must come back. */
    private record Call(String method, String route, String path, String body, int status,
            Consumer<ApiClient.Response> check) {
        Call(String method, String route, String path, String body, int status) {
            this(method, route, path, body, status, r -> { });
        }
    }

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start();
        ownerReceiver = TestReceiver.start();
        owner = chatwire.createAccount("standard");
        stranger = chatwire.createAccount("professional");

        ApiClient.Response bot = owner.api().post("/v1/chatbots", "{\"name\":\"" + OWNER_BOT_NAME + "\"}");
        assertThat(bot.status()).isEqualTo(201);
        ownerBot = bot.text("id");
        ownerUrl = ownerReceiver.url(OWNER_PATH).toString();
        ownerEndpoint = chatwire.createEndpoint(owner, ownerBot, ownerUrl, "[\"chat\"]", true);
        ownerEvent = chatwire.postEvent(RunningChatwire.chatEvent(ownerBot, OWNER_QUESTION));
        await().atMost(Duration.ofSeconds(5)).until(() -> ownerReceiver.count() == 1
                && owner.api().get("/v1/deliveries?status=delivered").json().get("data").size() == 1);
        ownerKeyId = chatwire.operator().get("/v1/accounts/" + owner.id() + "/api-keys").json().get("data").get(0)
                .path("id").asText();

        strangerBot = chatwire.createChatbot(stranger);
        strangerEndpoint = chatwire.createEndpoint(stranger, strangerBot, "http://127.0.0.1:9/stranger", "[\"chat\"]",
                false);
        strangerEvent = chatwire.postEvent(RunningChatwire.chatEvent(strangerBot, "the stranger's own"));

        ownerSnapshot = ownerState();
        ownerRequests = ownerReceiver.count();
    }

    @AfterAll
    static void stop() {
        chatwire.close();
        ownerReceiver.close();
    }

    // --- the walk -------------------------------------------------------------------------------

    private static List<Call> accountRoutesAgainstOwnerIds() {
        String recover = "{\"since\":\"2000-01-01T00:00:00Z\"}";
        return List.of(
                // SettingsRoutes, account side
                new Call("GET", "/v1/chatbots/{chatbotId}", "/v1/chatbots/" + ownerBot, null, 404),
                new Call("PATCH", "/v1/chatbots/{chatbotId}", "/v1/chatbots/" + ownerBot, "{\"name\":\"taken over\"}", 404),
                new Call("DELETE", "/v1/chatbots/{chatbotId}", "/v1/chatbots/" + ownerBot, null, 404),
                new Call("POST", "/v1/chatbots/{chatbotId}/endpoints", "/v1/chatbots/" + ownerBot + "/endpoints",
                        "{\"url\":\"http://127.0.0.1:9/evil\",\"events\":[\"chat\"]}", 404),
                new Call("GET", "/v1/chatbots/{chatbotId}/endpoints", "/v1/chatbots/" + ownerBot + "/endpoints", null, 404),
                new Call("GET", "/v1/endpoints/{endpointId}", "/v1/endpoints/" + ownerEndpoint, null, 404),
                new Call("PATCH", "/v1/endpoints/{endpointId}", "/v1/endpoints/" + ownerEndpoint,
                        "{\"url\":\"http://127.0.0.1:9/evil\",\"enabled\":false}", 404),
                new Call("DELETE", "/v1/endpoints/{endpointId}", "/v1/endpoints/" + ownerEndpoint, null, 404),
                new Call("GET", "/v1/endpoints/{endpointId}/secret", "/v1/endpoints/" + ownerEndpoint + "/secret", null, 404),
                new Call("POST", "/v1/endpoints/{endpointId}/secret/rotate",
                        "/v1/endpoints/" + ownerEndpoint + "/secret/rotate", "", 404),
                new Call("DELETE", "/v1/endpoints/{endpointId}/secret", "/v1/endpoints/" + ownerEndpoint + "/secret",
                        null, 404),
                // EventRoutes, account side
                new Call("GET", "/v1/events/{eventId}", "/v1/events/" + ownerEvent, null, 404),
                new Call("GET", "/v1/events/{eventId}/deliveries", "/v1/events/" + ownerEvent + "/deliveries", null, 404),
                new Call("POST", "/v1/events/{eventId}/resend", "/v1/events/" + ownerEvent + "/resend",
                        "{\"endpoint_id\":\"" + ownerEndpoint + "\"}", 404),
                new Call("POST", "/v1/events/{eventId}/resend", "/v1/events/" + ownerEvent + "/resend",
                        "{\"endpoint_id\":\"" + strangerEndpoint + "\"}", 404),
                new Call("POST", "/v1/events/{eventId}/resend", "/v1/events/" + strangerEvent + "/resend",
                        "{\"endpoint_id\":\"" + ownerEndpoint + "\"}", 404),
                new Call("POST", "/v1/endpoints/{endpointId}/test", "/v1/endpoints/" + ownerEndpoint + "/test", "", 404),
                new Call("POST", "/v1/endpoints/{endpointId}/recover", "/v1/endpoints/" + ownerEndpoint + "/recover",
                        recover, 404),
                // ChatDataRoutes
                new Call("POST", "/api/v2/add-webhook", "/api/v2/add-webhook",
                        "{\"url\":\"http://127.0.0.1:9/evil\",\"event\":\"chat\",\"chatbotId\":\"" + ownerBot + "\"}", 404),
                new Call("POST", "/api/v2/add-webhook", "/api/v2/add-webhook",
                        "{\"url\":\"" + ownerUrl + "\",\"event\":\"lead-submission\",\"chatbotId\":\"" + ownerBot + "\"}", 404),
                new Call("POST", "/api/v2/delete-webhook", "/api/v2/delete-webhook",
                        "{\"url\":\"" + ownerUrl + "\",\"chatbotId\":\"" + ownerBot + "\"}", 404));
    }

    private static List<Call> operatorRoutes() {
        String account = "/v1/accounts/" + owner.id();
        return List.of(
                new Call("POST", "/v1/accounts", "/v1/accounts", "{\"name\":\"x\",\"plan\":\"professional\"}", 403),
                new Call("GET", "/v1/accounts", "/v1/accounts", null, 403),
                new Call("GET", "/v1/accounts/{accountId}", account, null, 403),
                new Call("PATCH", "/v1/accounts/{accountId}", account, "{\"plan\":\"free\"}", 403),
                new Call("POST", "/v1/accounts/{accountId}/suspend", account + "/suspend", "", 403),
                new Call("POST", "/v1/accounts/{accountId}/reinstate", account + "/reinstate", "", 403),
                new Call("POST", "/v1/accounts/{accountId}/api-keys", account + "/api-keys", "", 403),
                new Call("GET", "/v1/accounts/{accountId}/api-keys", account + "/api-keys", null, 403),
                new Call("POST", "/v1/accounts/{accountId}/chatbots", account + "/chatbots",
                        "{\"name\":\"claimed\",\"id\":\"" + ownerBot + "-x\"}", 403),
                new Call("DELETE", "/v1/accounts/{accountId}/api-keys/{keyId}", account + "/api-keys/" + ownerKeyId,
                        null, 403),
                new Call("PUT", "/v1/chatbots/{chatbotId}/endpoint-limit", "/v1/chatbots/" + ownerBot + "/endpoint-limit",
                        "{\"endpoint_limit\":0}", 403),
                new Call("POST", "/v1/events", "/v1/events", RunningChatwire.chatEvent(ownerBot, "forged"), 403));
    }

    /** Routes without an id of the owner's in the path: they answer, but only with the caller's own data. */
    private static List<Call> ownDataRoutes() {
        Consumer<ApiClient.Response> empty = r -> assertThat(r.json().get("data")).as(r.raw()).isEmpty();
        Consumer<ApiClient.Response> onlyStrangersEvent = r -> assertThat(ids(r)).containsExactly(strangerEvent);
        return List.of(
                new Call("GET", "/v1/account", "/v1/account", null, 200,
                        r -> assertThat(r.text("id")).isEqualTo(stranger.id())),
                new Call("GET", "/v1/account/signing-secret", "/v1/account/signing-secret", null, 200,
                        r -> assertThat(r.text("signing_secret")).isNotEqualTo(owner.signingSecret())),
                new Call("POST", "/v1/account/signing-secret/rotate", "/v1/account/signing-secret/rotate", "", 200,
                        r -> assertThat(r.text("signing_secret")).isNotEqualTo(owner.signingSecret())),
                new Call("GET", "/v1/chatbots", "/v1/chatbots", null, 200,
                        r -> assertThat(ids(r)).containsExactly(strangerBot)),
                // Only the operator chooses chatbot ids, so an account can never claim another's chatbot.
                new Call("POST", "/v1/chatbots", "/v1/chatbots", "{\"name\":\"mine now\",\"id\":\"" + ownerBot + "\"}", 403),
                new Call("GET", "/v1/events", "/v1/events", null, 200, onlyStrangersEvent),
                new Call("GET", "/v1/events", "/v1/events?chatbot_id=" + ownerBot, null, 200, empty),
                new Call("GET", "/v1/events", "/v1/events?endpoint_id=" + ownerEndpoint, null, 200, empty),
                new Call("GET", "/v1/events", "/v1/events?cursor=evt_~", null, 200, onlyStrangersEvent),
                new Call("GET", "/v1/deliveries", "/v1/deliveries", null, 200, empty),
                new Call("GET", "/v1/deliveries", "/v1/deliveries?endpoint_id=" + ownerEndpoint, null, 200, empty),
                new Call("GET", "/v1/deliveries", "/v1/deliveries?chatbot_id=" + ownerBot, null, 200, empty),
                new Call("GET", "/v1/deliveries", "/v1/deliveries?event_id=" + ownerEvent, null, 200, empty),
                new Call("GET", "/v1/attempts", "/v1/attempts", null, 200, empty),
                new Call("GET", "/v1/attempts", "/v1/attempts?endpoint_id=" + ownerEndpoint, null, 200, empty),
                new Call("GET", "/v1/attempts", "/v1/attempts?chatbot_id=" + ownerBot, null, 200, empty),
                new Call("GET", "/v1/attempts", "/v1/attempts?event_id=" + ownerEvent, null, 200, empty),
                // A JSON client is refused the stream (406); what a stream shows is checked by LiveLogTest.
                new Call("GET", "/v1/attempts/stream", "/v1/attempts/stream?endpoint_id=" + ownerEndpoint, null, 406,
                        r -> assertThat(r.text("error")).isEqualTo("not_acceptable")),
                new Call("GET", "/api/v2/get-chatbots", "/api/v2/get-chatbots", null, 200,
                        r -> assertThat(r.json().get("chatbots").findValuesAsText("chatbotId"))
                                .containsExactly(strangerBot)),
                // The stranger is on professional, the owner on standard: the caller's own plan comes back.
                new Call("GET", "/api/v2/current-plan", "/api/v2/current-plan", null, 200,
                        r -> assertThat(r.text("plan")).isEqualTo("professional")));
    }

    @Test
    void everyRegisteredRouteIsWalked() throws IOException {
        Set<String> registered = registeredRoutes();
        Set<String> walked = new TreeSet<>();
        for (List<Call> calls : List.of(accountRoutesAgainstOwnerIds(), operatorRoutes(), ownDataRoutes())) {
            calls.forEach(c -> walked.add(c.method() + " " + c.route()));
        }

        assertThat(registered).as("routes found in the register() methods").hasSizeGreaterThan(30);
        assertThat(walked).containsExactlyInAnyOrderElementsOf(registered);
    }

    @Test
    void everyAccountRouteAnswersNotFoundForAnotherAccountsIds() {
        walk(accountRoutesAgainstOwnerIds());
        assertOwnerUnchanged();
    }

    @Test
    void everyOperatorRouteAnswersForbiddenToAnAccountKey() {
        int accounts = chatwire.operator().get("/v1/accounts").json().get("data").size();

        walk(operatorRoutes());

        assertThat(chatwire.operator().get("/v1/accounts").json().get("data")).hasSize(accounts);
        assertOwnerUnchanged();
    }

    @Test
    void routesWithoutAnIdOfTheOwnersShowOnlyTheCallersOwnData() {
        walk(ownDataRoutes());
        assertOwnerUnchanged();
    }

    @Test
    void theOwnersEventsStillReachOnlyTheOwnerAfterTheWalk() {
        walk(accountRoutesAgainstOwnerIds());
        walk(ownDataRoutes());

        String event = chatwire.postEvent(RunningChatwire.chatEvent(ownerBot, "after the walk"));

        await().atMost(Duration.ofSeconds(5)).until(() -> ownerReceiver.count() > ownerRequests);
        assertThat(ownerReceiver.received().getLast().header("webhook-id")).isEqualTo(event);
        assertThat(ownerReceiver.received().getLast().path()).isEqualTo(OWNER_PATH);
        assertThat(owner.api().get("/v1/events/" + event).status()).isEqualTo(200);
        assertThat(stranger.api().get("/v1/events/" + event).status()).isEqualTo(404);

        // The owner's data changed on purpose here: take it as the new reference for the other tests.
        await().atMost(Duration.ofSeconds(5)).until(() ->
                owner.api().get("/v1/deliveries?status=delivered").json().get("data").size() == 2);
        ownerSnapshot = ownerState();
        ownerRequests = ownerReceiver.count();
    }

    // --- helpers --------------------------------------------------------------------------------

    private static void walk(List<Call> calls) {
        for (Call call : calls) {
            ApiClient.Response r = send(call.method(), stranger.apiKey(), call.path(), call.body());
            String what = call.method() + " " + call.path() + (call.body() == null ? "" : " " + call.body());
            assertThat(r.status()).as(what + " -> " + r.raw()).isEqualTo(call.status());
            assertThat(r.raw()).as(what + " leaks the owner's data")
                    .doesNotContain(OWNER_BOT_NAME, OWNER_QUESTION, OWNER_PATH, owner.signingSecret(), owner.apiKey(),
                            owner.id());
            if (call.status() >= 400) {
                assertThat(r.json().has("data")).as(what).isFalse();
            }
            call.check().accept(r);
        }
    }

    private static List<String> ids(ApiClient.Response r) {
        List<String> ids = new ArrayList<>();
        for (JsonNode row : r.json().get("data")) {
            ids.add(row.path("id").asText());
        }
        return ids;
    }

    /** Everything the owner (and the operator, about the owner) can read, as raw answers. */
    private static Map<String, String> ownerState() {
        Map<String, String> state = new LinkedHashMap<>();
        ApiClient api = owner.api();
        for (String path : List.of("/v1/account", "/v1/account/signing-secret", "/v1/chatbots",
                "/v1/chatbots/" + ownerBot, "/v1/chatbots/" + ownerBot + "/endpoints", "/v1/endpoints/" + ownerEndpoint,
                "/v1/endpoints/" + ownerEndpoint + "/secret", "/v1/events", "/v1/events/" + ownerEvent,
                "/v1/events/" + ownerEvent + "/deliveries", "/v1/deliveries", "/v1/attempts", "/api/v2/get-chatbots",
                "/api/v2/current-plan")) {
            ApiClient.Response r = api.get(path);
            assertThat(r.status()).as(path + " -> " + r.raw()).isEqualTo(200);
            state.put(path, r.raw());
        }
        for (String path : List.of("/v1/accounts/" + owner.id(), "/v1/accounts/" + owner.id() + "/api-keys")) {
            state.put("operator " + path, chatwire.operator().get(path).raw());
        }
        return state;
    }

    private static void assertOwnerUnchanged() {
        assertThat(ownerState()).containsExactlyEntriesOf(ownerSnapshot);
        // No test event, resend or recover reached the owner's receiver on the stranger's behalf.
        assertThat(ownerReceiver.count()).isEqualTo(ownerRequests);
    }

    /** "GET /v1/chatbots/{chatbotId}" for every route registered in the three route classes. */
    private static Set<String> registeredRoutes() throws IOException {
        Path dir = Path.of("src/main/java/io/chatwire/api");
        if (!Files.isDirectory(dir)) {
            dir = Path.of("server/src/main/java/io/chatwire/api");
        }
        Pattern route = Pattern.compile("r\\.(get|post|put|patch|delete)\\(\\s*(PREFIX\\s*\\+\\s*)?\"([^\"]+)\"");
        Set<String> routes = new TreeSet<>();
        for (String file : List.of("SettingsRoutes.java", "EventRoutes.java", "ChatDataRoutes.java")) {
            Path source = dir.resolve(file);
            assertThat(source).exists();
            Matcher m = route.matcher(Files.readString(source));
            while (m.find()) {
                String path = (m.group(2) != null ? "/api/v2/" : "") + m.group(3);
                routes.add(m.group(1).toUpperCase(java.util.Locale.ROOT) + " " + path);
            }
        }
        return routes;
    }

    private static ApiClient.Response send(String method, String token, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(chatwire.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
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
            throw new IllegalStateException("request failed: " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
