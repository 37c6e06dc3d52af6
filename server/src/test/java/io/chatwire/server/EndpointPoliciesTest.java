package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.CapturedLogs;
import io.chatwire.testing.DatabaseDump;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import io.chatwire.testing.TestReceiver.Answer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * An endpoint's own retry schedule, timeout and static headers, set through the API within the
 * operator's bounds: the schedule and timeout are what its deliveries get, the headers reach its
 * receiver and nothing else (not the API, the attempt log, the logs, or the database in plaintext).
 */
class EndpointPoliciesTest {
    private static final String TOKEN = "Bearer receiver-own-token-7f3a9c";

    private RunningChatwire chatwire;

    @AfterEach
    void stop() {
        if (chatwire != null) {
            chatwire.close();
        }
    }

    private TestAccount start(Map<String, String> settings) {
        chatwire = RunningChatwire.start(settings);
        return chatwire.createAccount("professional");
    }

    private static JsonNode createEndpoint(TestAccount account, String chatbot, String url, String policyJson) {
        ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"" + url + "\",\"events\":[\"chat\"]," + policyJson + "}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.json();
    }

    private static JsonNode onlyDelivery(TestAccount account, String eventId) {
        JsonNode data = account.api().get("/v1/events/" + eventId + "/deliveries").json().get("data");
        assertThat(data).hasSize(1);
        return data.get(0);
    }

    private static boolean settled(TestAccount account, String eventId) {
        String status = onlyDelivery(account, eventId).path("status").asText();
        return status.equals("delivered") || status.equals("failed");
    }

    @Test
    void deliversWithTheEndpointsOwnRetryScheduleAndTimeout() {
        // The operator's schedule allows three attempts and its timeout is 2 s.
        TestAccount account = start(Map.of("CHATWIRE_RETRY_SCHEDULE", "0s,200ms,200ms"));
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver failing = TestReceiver.start(); TestReceiver slow = TestReceiver.start()) {
            failing.answering(Answer.status(500));
            slow.answering(Answer.status(200).after(Duration.ofSeconds(3)));
            JsonNode patient = createEndpoint(account, chatbot, failing.url().toString(),
                    "\"retry_schedule\":[\"100ms\",\"100ms\",\"300ms\",\"300ms\"]");
            assertThat(patient.path("retry_schedule")).extracting(JsonNode::asText)
                    .containsExactly("100ms", "100ms", "300ms", "300ms");
            JsonNode hasty = createEndpoint(account, chatbot, slow.url().toString(),
                    "\"retry_schedule\":[],\"timeout\":\"1s\"");
            assertThat(hasty.path("timeout").asText()).isEqualTo("1s");

            String eventId = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "own policies"));
            JsonNode deliveries = await().atMost(Duration.ofSeconds(20)).until(
                    () -> account.api().get("/v1/events/" + eventId + "/deliveries").json().get("data"),
                    d -> d.size() == 2 && d.findValuesAsText("status").stream().allMatch("failed"::equals));
            for (JsonNode d : deliveries) {
                if (d.path("endpoint_id").asText().equals(patient.path("id").asText())) {
                    // Five attempts: the first and the endpoint's four retries, not the operator's three.
                    assertThat(d.path("attempt_count").asInt()).isEqualTo(5);
                    assertThat(failing.count()).isEqualTo(5);
                    List<TestReceiver.Received> got = failing.received();
                    assertThat(Duration.between(got.get(3).at(), got.get(4).at()).toMillis()).isBetween(220L, 1500L);
                } else {
                    // One attempt, cut at the endpoint's 1 s, not the operator's 2 s.
                    assertThat(d.path("attempt_count").asInt()).isEqualTo(1);
                    JsonNode attempt = d.path("attempts").get(0);
                    assertThat(attempt.path("error_kind").asText()).isEqualTo("timeout");
                    assertThat(attempt.path("latency_ms").asLong()).isBetween(900L, 1900L);
                }
            }

            // null goes back to the operator's settings, and the fields leave the endpoint's view.
            ApiClient.Response reset = account.api().patch("/v1/endpoints/" + hasty.path("id").asText(),
                    "{\"retry_schedule\":null,\"timeout\":null}");
            assertThat(reset.status()).as(reset.raw()).isEqualTo(200);
            assertThat(reset.json().has("retry_schedule")).isFalse();
            assertThat(reset.json().has("timeout")).isFalse();
        }
    }

    @Test
    void refusesPoliciesOutsideTheOperatorsBoundsAndChangesNothing() {
        TestAccount account = start(Map.of("CHATWIRE_ENDPOINT_TIMEOUT_MAX", "3s", "CHATWIRE_ENDPOINT_RETRIES_MAX", "3",
                "CHATWIRE_ENDPOINT_RETRY_DELAY_MAX", "1h", "CHATWIRE_ENDPOINT_RATE_LIMIT_MAX", "50"));
        String chatbot = chatwire.createChatbot(account);
        String id = createEndpoint(account, chatbot, "http://127.0.0.1:9/hook",
                "\"timeout\":\"3s\",\"retry_schedule\":[\"1m\",\"1h\",\"1h\"],\"rate_limit\":50").path("id").asText();
        for (String body : List.of("{\"timeout\":\"4s\"}", "{\"timeout\":\"500ms\"}", "{\"timeout\":\"soon\"}",
                "{\"timeout\":5}", "{\"retry_schedule\":[\"1s\",\"1s\",\"1s\",\"1s\"]}",
                "{\"retry_schedule\":[\"2h\"]}", "{\"retry_schedule\":[\"-1s\"]}", "{\"retry_schedule\":\"5s\"}",
                "{\"rate_limit\":0}", "{\"rate_limit\":51}", "{\"rate_limit\":2.5}", "{\"rate_limit\":\"10\"}",
                "{\"headers\":[\"X-A\"]}", "{\"headers\":{\"X-A\":5}}")) {
            ApiClient.Response r = account.api().patch("/v1/endpoints/" + id, body);
            assertThat(r.status()).as(body + " -> " + r.raw()).isEqualTo(400);
            assertThat(r.json().path("error").asText()).as(body).isNotEmpty();
            assertThat(r.json().path("message").asText()).as(body).isNotEmpty();
        }
        JsonNode endpoint = account.api().get("/v1/endpoints/" + id).json();
        assertThat(endpoint.path("timeout").asText()).isEqualTo("3s");
        assertThat(endpoint.path("retry_schedule")).extracting(JsonNode::asText).containsExactly("1m", "1h", "1h");
        assertThat(endpoint.path("rate_limit").asInt()).isEqualTo(50);
        ApiClient.Response outOfBounds = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"http://127.0.0.1:9/other\",\"timeout\":\"10s\"}");
        assertThat(outOfBounds.status()).isEqualTo(400);
        assertThat(outOfBounds.json().path("error").asText()).isEqualTo("out_of_bounds");
        assertThat(account.api().get("/v1/chatbots/" + chatbot + "/endpoints").json().get("data")).hasSize(1);
    }

    @Test
    void refusesToStartWhenAnEndpointCouldOutliveItsLease() {
        Map<String, String> env = Map.of("CHATWIRE_LEASE", "30s", "CHATWIRE_ENDPOINT_TIMEOUT_MAX", "30s");
        assertThatThrownBy(() -> ChatwireConfig.load(env, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CHATWIRE_ENDPOINT_TIMEOUT_MAX");
        assertThat(ChatwireConfig.load(Map.of("CHATWIRE_REQUEST_TIMEOUT", "20s"), Optional.empty()).policyBounds()
                .maxTimeout()).as("by default, the operator's own timeout").isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void sendsStaticHeadersToTheReceiverAndShowsThemNowhereElse() throws Exception {
        Logger chatwireLoggers = (Logger) LoggerFactory.getLogger("io.chatwire");
        Level before = chatwireLoggers.getLevel();
        chatwireLoggers.setLevel(Level.DEBUG);
        String logged;
        try (CapturedLogs logs = new CapturedLogs(); TestReceiver receiver = TestReceiver.start()) {
            TestAccount account = start(Map.of());
            String chatbot = chatwire.createChatbot(account);
            // A receiver that echoes the token back, as a debugging endpoint might: the log must not keep it.
            receiver.answering(n -> Answer.status(n == 1 ? 500 : 200).withBody("you sent " + TOKEN));
            JsonNode endpoint = createEndpoint(account, chatbot, receiver.url().toString(),
                    "\"headers\":{\"Authorization\":\"" + TOKEN + "\",\"X-Team\":\"blue-team-42\"}");
            String id = endpoint.path("id").asText();
            assertThat(endpoint.path("headers")).extracting(JsonNode::asText).containsExactly("Authorization", "X-Team");

            String first = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "with headers"));
            await().atMost(Duration.ofSeconds(10)).until(() -> settled(account, first));
            TestReceiver.Received got = receiver.received().getLast();
            assertThat(got.header("authorization")).isEqualTo(TOKEN);
            assertThat(got.header("x-team")).isEqualTo("blue-team-42");
            // Chatwire's own headers are untouched by them.
            assertThat(got.header("webhook-id")).isEqualTo(first);

            // Merged on PATCH: a value sets a header, null removes one, the others stay.
            ApiClient.Response patched = account.api().patch("/v1/endpoints/" + id,
                    "{\"headers\":{\"x-team\":null,\"X-Env\":\"production\"}}");
            assertThat(patched.status()).as(patched.raw()).isEqualTo(200);
            assertThat(patched.json().path("headers")).extracting(JsonNode::asText)
                    .containsExactly("Authorization", "X-Env");
            String second = chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "after the change"));
            await().atMost(Duration.ofSeconds(10)).until(() -> settled(account, second));
            TestReceiver.Received latest = receiver.received().getLast();
            assertThat(latest.header("authorization")).isEqualTo(TOKEN);
            assertThat(latest.header("x-env")).isEqualTo("production");
            assertThat(latest.header("x-team")).isNull();

            List<String> seen = new ArrayList<>();
            seen.add(account.api().get("/v1/endpoints/" + id).raw());
            seen.add(account.api().get("/v1/chatbots/" + chatbot + "/endpoints").raw());
            seen.add(account.api().get("/v1/events/" + first + "/deliveries").raw());
            seen.add(account.api().get("/v1/events/" + second + "/deliveries").raw());
            seen.add(account.api().get("/v1/attempts").raw());
            assertThat(String.join("\n", seen)).contains("[redacted]").doesNotContain("receiver-own-token-7f3a9c");

            String cells = String.join("\n", DatabaseDump.cells(chatwire));
            assertThat(cells).contains("Authorization").doesNotContain("receiver-own-token-7f3a9c")
                    .doesNotContain("production");
            try (var c = chatwire.openJdbc(); var st = c.prepareStatement("SELECT static_headers FROM endpoints WHERE id = ?")) {
                st.setString(1, id);
                try (var rs = st.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).startsWith("v1:");
                }
            }
            logged = logs.everything();
        } finally {
            chatwireLoggers.setLevel(before);
        }
        assertThat(logged).isNotEmpty();
        assertThat(logged).doesNotContain("receiver-own-token-7f3a9c").doesNotContain("production");
    }

    @Test
    void refusesReservedAndMalformedHeaders() {
        TestAccount account = start(Map.of());
        String chatbot = chatwire.createChatbot(account);
        String id = createEndpoint(account, chatbot, "http://127.0.0.1:9/hook",
                "\"headers\":{\"X-Api-Key\":\"kept-value-123\"}").path("id").asText();
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 21; i++) {
            many.append(i == 0 ? "" : ",").append("\"X-H").append(i).append("\":\"v\"");
        }
        for (String headers : List.of("{\"Content-Type\":\"text/html\"}", "{\"content-length\":\"1\"}",
                "{\"Host\":\"evil.example\"}", "{\"Webhook-Signature\":\"v1,forged\"}",
                "{\"X-Chat-Data-Topic\":\"chat\"}", "{\"Transfer-Encoding\":\"chunked\"}",
                "{\"Connection\":\"close\"}", "{\"User-Agent\":\"not-chatwire\"}",
                "{\"X-Bad\":\"line\\r\\nInjected: yes\"}", "{\"X Bad\":\"v\"}", "{\"\":\"v\"}",
                "{\"X-Long\":\"" + "v".repeat(1025) + "\"}", "{\"X-Empty\":\"\"}", "{" + many + "}")) {
            ApiClient.Response r = account.api().patch("/v1/endpoints/" + id, "{\"headers\":" + headers + "}");
            assertThat(r.status()).as(headers + " -> " + r.raw()).isEqualTo(400);
            assertThat(r.json().path("error").asText()).as(headers).isIn("reserved_header", "invalid_header",
                    "invalid_field");
            assertThat(r.raw()).doesNotContain("kept-value-123");
        }
        assertThat(account.api().patch("/v1/endpoints/" + id, "{\"headers\":{\"Webhook-Id\":\"x\"}}").json()
                .path("error").asText()).isEqualTo("reserved_header");
        assertThat(account.api().get("/v1/endpoints/" + id).json().path("headers"))
                .extracting(JsonNode::asText).containsExactly("X-Api-Key");
        ApiClient.Response cleared = account.api().patch("/v1/endpoints/" + id, "{\"headers\":null}");
        assertThat(cleared.json().path("headers")).isEmpty();
    }
}
