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
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The abuse limits: the per-account ingest rate (429 with Retry-After, nothing stored), the throttle
 * on failed authentication per address (bad tokens only: valid credentials are always served, and the
 * bad-token answer never tells whether an account exists), the trusted-proxy setting that names the
 * address, the per-account quota on on-demand sends (test, resend, recover), Jetty's own refusals in
 * the JSON error shape, and the per-endpoint delivery concurrency (extra attempts wait, none fails).
 */
class AbuseLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void ingestPastTheAccountsRateIsRefusedWith429AndRetryAfterAndNothingIsStored() {
        try (RunningChatwire chatwire = RunningChatwire.start(Map.of(
                "CHATWIRE_INGEST_RATE", "2", "CHATWIRE_INGEST_BURST", "5"))) {
            TestAccount busy = chatwire.createAccount("standard");
            String busyBot = chatwire.createChatbot(busy);
            TestAccount quiet = chatwire.createAccount("standard");
            String quietBot = chatwire.createChatbot(quiet);

            for (int i = 0; i < 5; i++) {
                chatwire.postEvent(RunningChatwire.chatEvent(busyBot, "burst " + i));
            }
            ApiClient.Response refused = chatwire.operator().post("/v1/events",
                    RunningChatwire.chatEvent(busyBot, "one too many"), "Idempotency-Key", "too-many-1");
            assertThat(refused.status()).as(refused.raw()).isEqualTo(429);
            assertThat(refused.header("Retry-After")).isNotNull();
            assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 2);
            assertThat(refused.text("error")).isEqualTo("rate_limited");
            assertThat(refused.text("message")).contains("Retry-After");
            assertThat(busy.api().get("/v1/events?limit=200").json().path("data")).hasSize(5);

            // Another account is not held back by the busy one.
            chatwire.postEvent(RunningChatwire.chatEvent(quietBot, "unaffected"));

            // After the pause the header asked for, the same request goes through (same key: not a duplicate).
            await().pollInterval(Duration.ofMillis(100)).atMost(Duration.ofSeconds(3)).until(() ->
                    chatwire.operator().post("/v1/events", RunningChatwire.chatEvent(busyBot, "one too many"),
                            "Idempotency-Key", "too-many-1").status() == 202);
            assertThat(busy.api().get("/v1/events?limit=200").json().path("data")).hasSize(6);
        }
    }

    // --- failed authentication -------------------------------------------------------------------

    private static final String UNKNOWN_KEY = "cwk_" + "Q".repeat(43);

    @Test
    void aValidKeyAndTheOperatorAreServedWhileBadTokensFromTheSameAddressAreThrottled() {
        try (RunningChatwire chatwire = RunningChatwire.start(Map.of("CHATWIRE_AUTH_FAILURE_LIMIT", "3"))) {
            TestAccount account = chatwire.createAccount("standard");
            String chatbot = chatwire.createChatbot(account);
            ApiClient attacker = account.api().as(UNKNOWN_KEY);
            ApiClient fakeOperator = chatwire.operator().as("cwop_" + "Q".repeat(43));
            for (int i = 0; i < 15; i++) {
                attacker.get("/v1/account");
                fakeOperator.post("/v1/events", RunningChatwire.chatEvent(chatbot, "forged " + i));
            }
            assertThat(attacker.get("/v1/account").status()).isEqualTo(429);

            // The same address (loopback), valid credentials: served as if nobody had failed.
            ApiClient.Response own = account.api().get("/v1/account");
            assertThat(own.status()).as(own.raw()).isEqualTo(200);
            assertThat(account.api().get("/api/v2/get-chatbots").status()).isEqualTo(200);
            chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "the platform's ingest goes on"));
            assertThat(chatwire.operator().get("/v1/accounts").status()).isEqualTo(200);
            assertThat(account.api().get("/v1/events").json().path("data")).hasSize(1);

            assertThat(attacker.get("/v1/account").status()).as("the bad tokens still are").isEqualTo(429);
        }
    }

    @Test
    void badTokensPastTheLimitGet429WithARetryAfterThatGrowsAndTheSameBodyWhateverTheToken() {
        try (RunningChatwire chatwire = RunningChatwire.start(Map.of("CHATWIRE_AUTH_FAILURE_LIMIT", "3"))) {
            TestAccount account = chatwire.createAccount("standard");
            String real = account.apiKey();
            String almost = real.substring(0, real.length() - 1) + (real.endsWith("a") ? "b" : "a");
            String[] bad = {almost, UNKNOWN_KEY, "cwop_" + "Q".repeat(43), "garbage"};

            ApiClient.Response wrongOfRealAccount = account.api().as(almost).get("/v1/account");
            ApiClient.Response wrongOfNoAccount = account.api().as(UNKNOWN_KEY).get("/v1/account");
            assertThat(wrongOfRealAccount.status()).isEqualTo(401);
            assertThat(wrongOfRealAccount.raw()).isEqualTo(wrongOfNoAccount.raw());
            assertThat(account.api().as("garbage").post("/v1/events", "{}").status()).isEqualTo(401);

            List<Long> retryAfter = new ArrayList<>();
            Set<String> bodies = new HashSet<>();
            Set<String> chatDataBodies = new HashSet<>();
            for (int i = 0; i < 8; i++) {
                boolean chatData = i % 2 == 1;
                ApiClient.Response r = account.api().as(bad[i % bad.length])
                        .get(chatData ? "/api/v2/get-chatbots" : "/v1/account");
                assertThat(r.status()).as(r.raw()).isEqualTo(429);
                retryAfter.add(Long.parseLong(r.header("Retry-After")));
                if (chatData) {
                    assertThat(r.text("status")).isEqualTo("error");
                    assertThat(r.text("message")).isNotBlank();
                    assertThat(r.json().has("error")).isFalse();
                    chatDataBodies.add(r.raw());
                } else {
                    assertThat(r.text("error")).isEqualTo("too_many_failed_authentications");
                    bodies.add(r.raw());
                }
            }
            assertThat(retryAfter.getFirst()).isBetween(1L, 2L);
            for (int i = 1; i < retryAfter.size(); i++) {
                assertThat(retryAfter.get(i)).as("Retry-After %s", retryAfter).isGreaterThan(retryAfter.get(i - 1));
            }
            assertThat(bodies).as("one answer whatever the token").hasSize(1);
            assertThat(chatDataBodies).hasSize(1);
            // The valid key is still served, and requests without credentials are not counted.
            assertThat(account.api().get("/v1/account").status()).isEqualTo(200);
            assertThat(chatwire.anonymous().get("/v1/account").status()).isEqualTo(401);
            assertThat(chatwire.anonymous().get("/healthz").status()).isEqualTo(200);
        }
    }

    @Test
    void aForwardedClientAddressIsBelievedOnlyFromATrustedProxy() {
        String name = "{\"name\":\"x\"}";
        try (RunningChatwire behindProxy = RunningChatwire.start(Map.of(
                "CHATWIRE_AUTH_FAILURE_LIMIT", "2", "CHATWIRE_TRUSTED_PROXIES", "127.0.0.1/32"))) {
            ApiClient attacker = behindProxy.anonymous().as(UNKNOWN_KEY);
            for (int i = 0; i < 2; i++) {
                assertThat(attacker.post("/v1/chatbots", name, "X-Forwarded-For", "203.0.113.7").status()).isEqualTo(401);
            }
            assertThat(attacker.post("/v1/chatbots", name, "X-Forwarded-For", "203.0.113.7").status()).isEqualTo(429);
            // Another client behind the same proxy is another address.
            assertThat(attacker.post("/v1/chatbots", name, "X-Forwarded-For", "203.0.113.8").status()).isEqualTo(401);
            // What a client writes left of the address the proxy appended changes nothing.
            assertThat(attacker.post("/v1/chatbots", name, "X-Forwarded-For", "198.51.100.1, 203.0.113.7").status())
                    .isEqualTo(429);
            // RFC 7239's Forwarded header names the same client.
            assertThat(attacker.post("/v1/chatbots", name, "Forwarded", "for=203.0.113.7;proto=https").status())
                    .isEqualTo(429);
            assertThat(attacker.post("/v1/chatbots", name, "Forwarded", "for=\"[2001:db8::1]:4711\"").status())
                    .isEqualTo(401);
            // The proxy itself, without a header, is its own address too.
            assertThat(attacker.post("/v1/chatbots", name).status()).isEqualTo(401);
        }
        try (RunningChatwire direct = RunningChatwire.start(Map.of("CHATWIRE_AUTH_FAILURE_LIMIT", "2"))) {
            ApiClient attacker = direct.anonymous().as(UNKNOWN_KEY);
            // No proxy is trusted: the headers are the client's own words, and every attempt counts
            // against the address it really comes from.
            assertThat(attacker.post("/v1/chatbots", name, "X-Forwarded-For", "203.0.113.1").status()).isEqualTo(401);
            assertThat(attacker.post("/v1/chatbots", name, "Forwarded", "for=203.0.113.2").status()).isEqualTo(401);
            assertThat(attacker.post("/v1/chatbots", name, "X-Forwarded-For", "203.0.113.3").status()).isEqualTo(429);
            assertThat(attacker.post("/v1/chatbots", name, "Forwarded", "for=203.0.113.4").status()).isEqualTo(429);
        }
    }

    // --- on-demand sends ---------------------------------------------------------------------------

    /** One server for the quota tests; each test has an account (and so a quota) of its own. */
    private static RunningChatwire onDemand;

    private static RunningChatwire onDemand() {
        if (onDemand == null) {
            // A burst of 3 and 1 a second; one attempt per delivery, so a failure is final at once.
            onDemand = RunningChatwire.start(Map.of("CHATWIRE_ON_DEMAND_RATE", "1", "CHATWIRE_ON_DEMAND_BURST", "3",
                    "CHATWIRE_RETRY_SCHEDULE", "0s"));
        }
        return onDemand;
    }

    @AfterAll
    static void stopOnDemand() {
        if (onDemand != null) {
            onDemand.close();
        }
    }

    private static void assertRefusedByTheQuota(ApiClient.Response r) {
        assertThat(r.status()).as(r.raw()).isEqualTo(429);
        assertThat(Long.parseLong(r.header("Retry-After"))).isPositive();
        assertThat(r.text("error")).isEqualTo("rate_limited");
        assertThat(r.text("message")).contains("quota").contains("nothing was sent or stored");
    }

    /** chatwire_on_demand_refused_total{kind=...} on this node, from /metrics (0 while not exported). */
    private static double refusals(RunningChatwire chatwire, String kind) {
        String metrics = chatwire.anonymous().get("/metrics").raw();
        Matcher m = Pattern.compile("(?m)^chatwire_on_demand_refused_total\\{[^}]*kind=\"" + kind + "\"[^}]*} (\\S+)$")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void testEventsPastTheAccountsQuotaAreRefusedWith429AndNothingIsSentOrStored() {
        RunningChatwire chatwire = onDemand();
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            double refusedBefore = refusals(chatwire, "test");
            int sent = 0;
            List<ApiClient.Response> refused = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ApiClient.Response r = account.api().post("/v1/endpoints/" + endpoint + "/test", "");
                if (r.status() == 429) {
                    refused.add(r);
                } else {
                    assertThat(r.status()).as(r.raw()).isEqualTo(200);
                    sent++;
                }
            }
            assertThat(sent).as("the burst, and what trickled in meanwhile").isBetween(3, 6);
            assertThat(refused).hasSize(10 - sent);
            refused.forEach(AbuseLimitsTest::assertRefusedByTheQuota);
            sleep(Duration.ofMillis(300));
            assertThat(receiver.count()).isEqualTo(sent);
            assertThat(account.api().get("/v1/events?limit=200").json().path("data")).hasSize(sent);
            assertThat(refusals(chatwire, "test") - refusedBefore).isEqualTo(refused.size());
        }
    }

    @Test
    void previewsPastTheirOwnQuotaAreRefusedWith429AndLeaveTestEventsTheirs() {
        RunningChatwire chatwire = onDemand();
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String preview = "{\"filter\":\"answer.score < 0.5\",\"event\":{\"event\":\"chat\",\"chatbot_id\":\"b\","
                + "\"answer\":{\"role\":\"assistant\",\"content\":\"Hi\",\"score\":0.2}}}";
        double refusedBefore = refusals(chatwire, "preview");
        List<ApiClient.Response> refused = new ArrayList<>();
        int ran = 0;
        for (int i = 0; i < 10; i++) {
            ApiClient.Response r = account.api().post("/v1/transforms/preview", preview);
            if (r.status() == 429) {
                refused.add(r);
            } else {
                assertThat(r.status()).as(r.raw()).isEqualTo(200);
                ran++;
            }
        }
        assertThat(ran).as("the burst, and what trickled in meanwhile").isBetween(3, 6);
        for (ApiClient.Response r : refused) {
            assertThat(Long.parseLong(r.header("Retry-After"))).isPositive();
            assertThat(r.text("error")).isEqualTo("rate_limited");
            assertThat(r.text("message")).contains("previews").contains("nothing was run");
        }
        assertThat(refusals(chatwire, "preview") - refusedBefore).isEqualTo(refused.size());
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            ApiClient.Response test = account.api().post("/v1/endpoints/" + endpoint + "/test", "");
            assertThat(test.status()).as("previews do not spend the sends' quota: " + test.raw()).isEqualTo(200);
        }
    }

    @Test
    void resendsPastTheQuotaAreRefusedAndSendNothing() {
        RunningChatwire chatwire = onDemand();
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start()) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                events.add(chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "q" + i)));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() == 8);
            double refusedBefore = refusals(chatwire, "resend");

            int resent = 0;
            List<String> refusedEvents = new ArrayList<>();
            for (String event : events) {
                ApiClient.Response r = account.api().post("/v1/events/" + event + "/resend",
                        "{\"endpoint_id\":\"" + endpoint + "\"}");
                if (r.status() == 429) {
                    assertRefusedByTheQuota(r);
                    refusedEvents.add(event);
                } else {
                    assertThat(r.status()).as(r.raw()).isEqualTo(202);
                    resent++;
                }
            }
            assertThat(resent).isBetween(3, 5);
            int expected = 8 + resent;
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() >= expected);
            sleep(Duration.ofMillis(300));
            assertThat(receiver.count()).isEqualTo(expected);
            for (String event : refusedEvents) {
                JsonNode delivery = account.api().get("/v1/events/" + event + "/deliveries").json().path("data").get(0);
                assertThat(delivery.path("attempt_count").asInt()).as("no new attempt").isEqualTo(1);
            }
            assertThat(refusals(chatwire, "resend") - refusedBefore).isEqualTo(refusedEvents.size());
        }
    }

    @Test
    void recoverCountsEveryDeliveryItResendsAgainstTheQuotaAndPastItRecoversNothing() {
        RunningChatwire chatwire = onDemand();
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        try (TestReceiver receiver = TestReceiver.start().answering(TestReceiver.Answer.status(500))) {
            String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            String since = "{\"since\":\"" + java.time.Instant.now().minusSeconds(5) + "\"}";
            for (int i = 0; i < 8; i++) {
                chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "q" + i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> failed(account) == 8);
            double refusedBefore = refusals(chatwire, "recover");

            // One request, eight deliveries: admitted (the quota was not used up), and all eight counted.
            ApiClient.Response first = account.api().post("/v1/endpoints/" + endpoint + "/recover", since);
            assertThat(first.status()).as(first.raw()).isEqualTo(202);
            assertThat(first.json().path("recovered").asInt()).isEqualTo(8);
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() == 16 && failed(account) == 8);

            // Eight sends against a burst of 3 at 1 a second: the account waits for the rest to refill.
            ApiClient.Response again = account.api().post("/v1/endpoints/" + endpoint + "/recover", since);
            assertRefusedByTheQuota(again);
            assertThat(Long.parseLong(again.header("Retry-After"))).isGreaterThanOrEqualTo(2);
            assertRefusedByTheQuota(account.api().post("/v1/endpoints/" + endpoint + "/test", ""));
            sleep(Duration.ofMillis(500));
            assertThat(receiver.count()).isEqualTo(16);
            assertThat(failed(account)).as("still failed: nothing was put back").isEqualTo(8);
            assertThat(refusals(chatwire, "recover") - refusedBefore).isEqualTo(1);
        }
    }

    private static int failed(TestAccount account) {
        return account.api().get("/v1/deliveries?status=failed&limit=100").json().path("data").size();
    }

    @Test
    void jettysOwnRefusalsAnswerInTheJsonErrorShape() throws Exception {
        try (RunningChatwire chatwire = RunningChatwire.start()) {
            URI base = URI.create(chatwire.baseUrl());
            String pad = "x".repeat(20 * 1024);
            Raw headers = raw(base, "GET /v1/account HTTP/1.1\r\nHost: x\r\nX-Padding: " + pad + "\r\n\r\n");
            assertThat(headers.status()).isEqualTo(431);
            assertThat(headers.contentType()).startsWith("application/json");
            assertThat(headers.json().path("error").asText()).isEqualTo("headers_too_large");
            assertThat(headers.json().path("message").asText()).isNotBlank();

            Raw chatData = raw(base, "POST /api/v2/add-webhook HTTP/1.1\r\nHost: x\r\nX-Padding: " + pad + "\r\n\r\n");
            assertThat(chatData.status()).isEqualTo(431);
            assertThat(chatData.contentType()).startsWith("application/json");
            assertThat(chatData.json().has("message")).isTrue();

            for (String request : new String[] {
                    "GET /v1/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                    "GET /v1/account HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                    "GET /v1/" + "a".repeat(70_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                    "GET /v1/account HTTP/7.3\r\nHost: x\r\n\r\n",
                    "GET /v1/\u00ff\u00fe HTTP/1.1\r\nHost: x\r\n\r\n"}) {
                Raw r = raw(base, request);
                assertThat(r.status()).as(request.substring(0, Math.min(60, request.length()))).isBetween(400, 505);
                assertThat(r.status()).isNotEqualTo(500);
                assertThat(r.contentType()).as(r.head()).startsWith("application/json");
                assertThat(r.json().has("message")).as(r.body()).isTrue();
                assertThat(r.body()).doesNotContainIgnoringCase("<html");
            }
        }
    }

    @Test
    void anEndpointGetsAtMostItsConcurrencyAndTheRestWaitInsteadOfFailing() {
        try (TestReceiver receiver = TestReceiver.start();
                RunningChatwire chatwire = RunningChatwire.start(Map.of("CHATWIRE_ENDPOINT_CONCURRENCY", "2"))) {
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            receiver.answering(n -> {
                int now = inFlight.incrementAndGet();
                most.accumulateAndGet(now, Math::max);
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    inFlight.decrementAndGet();
                }
                return TestReceiver.Answer.status(204);
            });
            TestAccount account = chatwire.createAccount("standard");
            String chatbot = chatwire.createChatbot(account);
            chatwire.createEndpoint(account, chatbot, receiver.url().toString(), "[\"chat\"]", true);
            for (int i = 0; i < 8; i++) {
                chatwire.postEvent(RunningChatwire.chatEvent(chatbot, "q" + i));
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> account.api().get("/v1/deliveries?status=delivered")
                    .json().path("data").size() == 8);
            assertThat(most.get()).isEqualTo(2);
            assertThat(receiver.count()).as("each delivered once, none retried").isEqualTo(8);
            assertThat(account.api().get("/v1/attempts?outcome=retry").json().path("data")).isEmpty();
        }
    }

    private record Raw(int status, String head, String body) {
        String contentType() {
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-type:")) {
                    return line.substring(13).strip();
                }
            }
            return "";
        }

        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    /** Sends bytes exactly as given (ISO-8859-1, so \u00ff is the byte 0xFF) and reads the answer. */
    static Raw raw(URI base, String request) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request.replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException serverClosedEarly) {
                // Jetty may answer and close before it has read everything; read what it said.
            }
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            int split = all.indexOf("\r\n\r\n");
            String head = split < 0 ? all : all.substring(0, split);
            String body = split < 0 ? "" : all.substring(split + 4);
            int status = Integer.parseInt(head.substring(9, 12));
            return new Raw(status, head, body);
        }
    }
}
