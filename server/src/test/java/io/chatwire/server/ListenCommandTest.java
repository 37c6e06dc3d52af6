package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.ListenProcess;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.ServerProcess;
import io.chatwire.testing.TestDatabases;
import io.chatwire.testing.TestReceiver;
import io.chatwire.verify.WebhookVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code chatwire listen} as a developer runs it: {@code Main listen} in a JVM of its own, against a
 * real server (also a process of its own), forwarding to a real receiver on loopback that checks the
 * signatures with the {@code verify} module. The server does not allow loopback targets here: the
 * relay never dials, so the receiver is reachable only through the listener.
 */
@Timeout(120)
class ListenCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static Path dir;
    private static ServerProcess server;
    private static final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startServer() throws IOException {
        dir = Files.createTempDirectory("chatwire-listen-");
        server = ServerProcess.start(dir, ServerProcess.freePort(), "listen", settings());
    }

    /** No loopback allowed (the relay needs none), a short relay timeout and quick retries. */
    private static Map<String, String> settings() {
        return Map.of("CHATWIRE_ALLOWED_TARGETS", "", "CHATWIRE_RELAY_TIMEOUT", "3s",
                "CHATWIRE_RETRY_SCHEDULE", "0s,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    /** A receiver that takes 120 ms and answers 202 with a body naming the request. */
    private static TestReceiver slowReceiver() {
        return closing(TestReceiver.start()).answering(n -> TestReceiver.Answer.status(202).withBody("verified #" + n)
                .after(Duration.ofMillis(120)));
    }

    private static ListenProcess listen(ServerProcess on, ServerProcess.Account account, String chatbot,
            TestReceiver receiver, String... extra) {
        List<String> args = new ArrayList<>(List.of("--server", on.baseUrl(), "--api-key", account.apiKey(),
                "--chatbot", chatbot, "--forward-to", receiver.url("/api/webhook").toString()));
        args.addAll(List.of(extra));
        return closing(ListenProcess.start(dir, args.toArray(String[]::new)));
    }

    private static String postChat(ServerProcess on, String chatbot, String question) {
        ApiClient.Response r = on.operator().post("/v1/events", RunningChatwire.chatEvent(chatbot, question));
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        return r.text("id");
    }

    private static JsonNode attempts(ServerProcess.Account account, String eventId) {
        ApiClient.Response r = account.api().get("/v1/events/" + eventId + "/deliveries");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().path("data")).as(r.raw()).hasSize(1);
        return r.json().path("data").get(0).path("attempts");
    }

    private static JsonNode endpoints(ServerProcess.Account account, String chatbot) {
        ApiClient.Response r = account.api().get("/v1/chatbots/" + chatbot + "/endpoints");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json().path("data");
    }

    private static boolean hasRelayEndpoint(ServerProcess.Account account, String chatbot) {
        for (JsonNode e : endpoints(account, chatbot)) {
            if (e.path("url").asText().startsWith("relay://")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void relayed_deliveries_reach_the_local_receiver_with_signatures_that_verify_and_the_attempt_log_records_the_local_answer() {
        ServerProcess.Account account = server.createAccount("standard");
        String chatbot = server.createChatbot(account);
        TestReceiver receiver = slowReceiver();
        ListenProcess listener = listen(server, account, chatbot, receiver, "--events", "chat");
        listener.awaitOutput("Ready", WAIT);

        String eventId = postChat(server, chatbot, "relayed?");

        await().atMost(WAIT).until(() -> receiver.count() == 1);
        TestReceiver.Received got = receiver.received().getFirst();
        assertThat(got.path()).isEqualTo("/api/webhook");
        assertThat(got.header("x-chat-data-topic")).isEqualTo("chat");
        assertThat(got.header("content-type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(got.header("webhook-id")).isEqualTo(eventId);
        WebhookVerifier verifier = WebhookVerifier.forSecret(account.signingSecret());
        org.assertj.core.api.Assertions.assertThatCode(() -> verifier.verify(got.body(), got.headers()))
                .doesNotThrowAnyException();
        org.assertj.core.api.Assertions.assertThatCode(() -> verifier.verifyChatData(got.body(),
                got.header("x-chat-data-hmac-sha256"))).doesNotThrowAnyException();
        assertThat(got.bodyText()).contains("relayed?");

        await().atMost(WAIT).until(() -> attempts(account, eventId).size() == 1
                && attempts(account, eventId).get(0).path("outcome").asText().equals("delivered"));
        JsonNode attempt = attempts(account, eventId).get(0);
        assertThat(attempt.path("http_status").asInt()).isEqualTo(202);
        assertThat(attempt.path("response_body").asText()).isEqualTo("verified #1");
        assertThat(attempt.path("latency_ms").asLong()).as("the local receiver's own latency").isBetween(120L, 10_000L);
        assertThat(attempt.path("url").asText()).startsWith("relay://");
        listener.awaitOutput("-> 202", WAIT);
        assertThat(listener.output()).contains("chat").contains(eventId);
    }

    @Test
    void relay_endpoints_do_not_use_one_of_the_chatbots_three_endpoint_slots() {
        ServerProcess.Account account = server.createAccount("standard");
        String chatbot = server.createChatbot(account);
        TestReceiver receiver = closing(TestReceiver.start());
        listen(server, account, chatbot, receiver).awaitOutput("Ready", WAIT);
        listen(server, account, chatbot, receiver).awaitOutput("Ready", WAIT);

        for (int i = 1; i <= 3; i++) {
            ApiClient.Response r = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                    "{\"url\":\"https://receiver" + i + ".example.com/hook\",\"events\":[\"chat\"]}");
            assertThat(r.status()).as("endpoint %d beside two relay endpoints: %s", i, r.raw()).isEqualTo(201);
        }
        ApiClient.Response fourth = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"https://receiver4.example.com/hook\",\"events\":[\"chat\"]}");
        assertThat(fourth.status()).as(fourth.raw()).isEqualTo(409);
    }

    @Test
    void another_account_cannot_listen_on_the_chatbot() {
        ServerProcess.Account owner = server.createAccount("standard");
        String chatbot = server.createChatbot(owner);
        ServerProcess.Account other = server.createAccount("standard");
        TestReceiver receiver = closing(TestReceiver.start());

        ListenProcess listener = listen(server, other, chatbot, receiver);

        assertThat(listener.awaitExit(WAIT)).as(listener.output()).isEqualTo(2);
        assertThat(listener.output()).contains("404").contains(chatbot);
        assertThat(endpoints(owner, chatbot)).isEmpty();
    }

    @Test
    void ctrl_c_removes_the_relay_endpoint_at_once() {
        ServerProcess.Account account = server.createAccount("standard");
        String chatbot = server.createChatbot(account);
        ListenProcess listener = listen(server, account, chatbot, closing(TestReceiver.start()));
        listener.awaitOutput("Ready", WAIT);
        assertThat(hasRelayEndpoint(account, chatbot)).isTrue();

        listener.interrupt();

        // 130 = 128 + SIGINT: the JVM's exit status after its shutdown hooks ran on Ctrl-C.
        assertThat(listener.awaitExit(WAIT)).as(listener.output()).isEqualTo(130);
        assertThat(listener.output()).contains("Stopped; the relay endpoint was removed.");
        // Well before the 3 s timeout: the listener asked for the removal.
        assertThat(hasRelayEndpoint(account, chatbot)).as(listener.output()).isFalse();
    }

    @Test
    void while_no_listener_is_connected_attempts_fail_as_relay_unavailable_and_are_retried() {
        ServerProcess.Account account = server.createAccount("standard");
        String chatbot = server.createChatbot(account);
        ListenProcess listener = listen(server, account, chatbot, closing(TestReceiver.start()));
        listener.awaitOutput("Ready", WAIT);
        listener.kill();

        String eventId = postChat(server, chatbot, "anyone there?");

        await().atMost(Duration.ofSeconds(3)).until(() -> attempts(account, eventId).size() >= 2);
        for (JsonNode attempt : attempts(account, eventId)) {
            assertThat(attempt.path("error_kind").asText()).as(attempt.toString()).isEqualTo("relay_unavailable");
            assertThat(attempt.path("outcome").asText()).as(attempt.toString()).isIn("retry", "retrying", "failed");
        }
    }

    @Test
    void a_vanished_listener_loses_its_relay_endpoint_after_the_timeout() {
        ServerProcess.Account account = server.createAccount("standard");
        String chatbot = server.createChatbot(account);
        ListenProcess listener = listen(server, account, chatbot, closing(TestReceiver.start()));
        listener.awaitOutput("Ready", WAIT);
        listener.kill();
        long killedAt = System.nanoTime();

        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> !hasRelayEndpoint(account, chatbot));
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).as("kept for the 3 s timeout first")
                .isGreaterThanOrEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void print_secret_prints_the_signing_secret_the_local_receiver_needs() {
        ServerProcess.Account account = server.createAccount("standard");
        ListenProcess p = closing(ListenProcess.start(dir, "--server", server.baseUrl(), "--api-key",
                account.apiKey(), "--print-secret"));
        assertThat(p.awaitExit(WAIT)).as(p.output()).isEqualTo(0);
        assertThat(p.output().strip()).isEqualTo(account.signingSecret());
    }

    @Test
    void with_secret_of_the_listener_signs_as_that_endpoint_and_keeps_doing_so_after_it_rotates() {
        ServerProcess.Account account = server.createAccount("standard");
        String chatbot = server.createChatbot(account);
        // Production's endpoint, with a secret of its own (disabled: nothing here dials it).
        ApiClient.Response created = account.api().post("/v1/chatbots/" + chatbot + "/endpoints",
                "{\"url\":\"https://receiver.example.com/hook\",\"events\":[\"chat\"],\"enabled\":false}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        String production = created.text("id");
        String before = rotate(account, production);

        ListenProcess printed = closing(ListenProcess.start(dir, "--server", server.baseUrl(), "--api-key",
                account.apiKey(), "--print-secret", "--secret-of", production));
        assertThat(printed.awaitExit(WAIT)).as(printed.output()).isEqualTo(0);
        assertThat(printed.output().strip()).isEqualTo(before);

        TestReceiver receiver = closing(TestReceiver.start());
        ListenProcess listener = listen(server, account, chatbot, receiver, "--secret-of", production);
        listener.awaitOutput("Ready", WAIT);
        postChat(server, chatbot, "signed as production?");
        await().atMost(WAIT).until(() -> receiver.count() == 1);
        assertSignedWith(receiver.received().getFirst(), before);

        String after = rotate(account, production);
        postChat(server, chatbot, "signed with the rotated secret?");
        await().atMost(WAIT).until(() -> receiver.count() == 2);
        assertSignedWith(receiver.received().get(1), after);
    }

    /**
     * Two nodes on one PostgreSQL schema, the listener connected to the first, every event posted to
     * the second: only the listener's node claims the relay endpoint's deliveries, so each arrives on
     * its first attempt, none failing as relay_unavailable on the node without the listener.
     */
    @Test
    void in_a_cluster_events_posted_to_another_node_reach_the_listener_at_the_first_attempt() {
        String schema = TestDatabases.newSchema();
        try {
            // Retries an hour apart: an attempt failed on the wrong node would hold its event for that long.
            Map<String, String> cluster = Map.of("CHATWIRE_DB_URL", TestDatabases.POSTGRES_URL,
                    "CHATWIRE_DB_SCHEMA", schema, "CHATWIRE_ALLOWED_TARGETS", "", "CHATWIRE_POLL_INTERVAL", "200ms",
                    "CHATWIRE_RETRY_SCHEDULE", "0s,1h");
            Path nodes = Files.createDirectories(dir.resolve("cluster"));
            try (ServerProcess withListener = ServerProcess.start(nodes, ServerProcess.freePort(), "node-a", cluster);
                    ServerProcess other = ServerProcess.start(nodes, ServerProcess.freePort(), "node-b", cluster)) {
                ServerProcess.Account account = withListener.createAccount("standard");
                String chatbot = withListener.createChatbot(account);
                TestReceiver receiver = closing(TestReceiver.start());
                listen(withListener, account, chatbot, receiver).awaitOutput("Ready", WAIT);

                List<String> events = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    events.add(postChat(other, chatbot, "posted to the other node #" + i));
                }
                await().atMost(WAIT).until(() -> receiver.count() == events.size());
                await().atMost(WAIT).until(() -> events.stream().allMatch(e -> !attempts(account, e).isEmpty()));
                for (String event : events) {
                    JsonNode attempts = attempts(account, event);
                    assertThat(attempts).as("attempts of %s", event).hasSize(1);
                    assertThat(attempts.get(0).path("outcome").asText()).isEqualTo("delivered");
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            TestDatabases.dropSchema(schema);
        }
    }

    private static String rotate(ServerProcess.Account account, String endpoint) {
        ApiClient.Response r = account.api().post("/v1/endpoints/" + endpoint + "/secret/rotate", "{}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.text("signing_secret");
    }

    /** The Chat Data header (one signature, the current secret's) verifies with {@code secret} alone. */
    private static void assertSignedWith(TestReceiver.Received got, String secret) {
        org.assertj.core.api.Assertions.assertThatCode(() -> WebhookVerifier.forSecret(secret)
                .verifyChatData(got.body(), got.header("x-chat-data-hmac-sha256"))).doesNotThrowAnyException();
    }

    @Test
    void events_posted_during_and_after_a_reconnect_to_a_restarted_server_arrive() throws IOException {
        Path ownDir = Files.createDirectories(dir.resolve("restart"));
        int port = ServerProcess.freePort();
        // Retries spread over about 10 s, so the event posted while the listener reconnects outlasts
        // the listener's back-off.
        Map<String, String> restartSettings = Map.of("CHATWIRE_ALLOWED_TARGETS", "", "CHATWIRE_RELAY_TIMEOUT", "30s",
                "CHATWIRE_RETRY_SCHEDULE", "0s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s");
        ServerProcess first = closing(ServerProcess.start(ownDir, port, "restart-1", restartSettings));
        ServerProcess.Account account = first.createAccount("standard");
        String chatbot = first.createChatbot(account);
        TestReceiver receiver = closing(TestReceiver.start());
        ListenProcess listener = listen(first, account, chatbot, receiver);
        listener.awaitOutput("Ready", WAIT);
        String before = postChat(first, chatbot, "before the restart");
        await().atMost(WAIT).until(() -> receiver.count() == 1);

        first.kill();
        ServerProcess second = closing(ServerProcess.start(ownDir, port, "restart-2", restartSettings));
        String during = postChat(second, chatbot, "while reconnecting");
        listener.awaitOutput("Reconnected", WAIT);
        String after = postChat(second, chatbot, "after the reconnect");

        await().atMost(WAIT).until(() -> receiver.received().stream().map(r -> r.header("webhook-id"))
                .toList().containsAll(List.of(before, during, after)));
        WebhookVerifier verifier = WebhookVerifier.forSecret(account.signingSecret());
        for (TestReceiver.Received r : receiver.received()) {
            org.assertj.core.api.Assertions.assertThatCode(() -> verifier.verify(r.body(), r.headers()))
                    .doesNotThrowAnyException();
        }
        assertThat(endpoints(account, chatbot)).as("the same relay endpoint, taken up again").hasSize(1);
        await().atMost(WAIT).until(() -> attempts(account, after).path(0).path("http_status").asInt() == 200);
    }
}
