package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatwire.testing.ApiClient;
import io.chatwire.testing.EventStreamClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.RunningChatwire.TestAccount;
import io.chatwire.testing.TestReceiver;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GET /v1/attempts/stream: the attempt log as server-sent events, read by a plain HTTP client. New
 * attempts arrive without asking, a reconnect with Last-Event-ID misses none, an account sees only
 * its own, and an account's streams are capped with a clear 429.
 */
class LiveLogTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static RunningChatwire chatwire;
    private static TestReceiver receiver;
    private static final List<EventStreamClient> streams = new ArrayList<>();

    @BeforeAll
    static void start() {
        chatwire = RunningChatwire.start(Map.of("CHATWIRE_LIVE_HEARTBEAT", "1s", "CHATWIRE_LIVE_STREAMS_PER_ACCOUNT", "2"));
        receiver = TestReceiver.start();
    }

    @AfterAll
    static void stop() {
        streams.forEach(EventStreamClient::close);
        receiver.close();
        chatwire.close();
    }

    /** An account with a chatbot and one endpoint at the receiver. */
    private record Setup(TestAccount account, String chatbot, String endpoint) {
    }

    private static Setup setUp() {
        TestAccount account = chatwire.createAccount("standard");
        String chatbot = chatwire.createChatbot(account);
        String endpoint = chatwire.createEndpoint(account, chatbot, receiver.url("/live").toString(), "[\"chat\"]", true);
        return new Setup(account, chatbot, endpoint);
    }

    private static EventStreamClient open(TestAccount account, String query, Optional<String> lastEventId) {
        EventStreamClient stream = EventStreamClient.open(chatwire.baseUrl(), "/v1/attempts/stream" + query,
                account.apiKey(), lastEventId);
        streams.add(stream);
        return stream;
    }

    private static Set<String> eventIds(EventStreamClient stream) {
        return stream.attempts().stream().map(a -> a.path("event_id").asText()).collect(Collectors.toSet());
    }

    @Test
    void streamsEachNewAttemptAsItIsLogged() {
        Setup s = setUp();
        EventStreamClient stream = open(s.account(), "", Optional.empty());
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.header("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        assertThat(stream.header("cache-control")).hasValue("no-cache");

        String eventId = chatwire.postEvent(RunningChatwire.chatEvent(s.chatbot(), "live?"));
        await().atMost(WAIT).until(() -> eventIds(stream).contains(eventId));
        JsonNode attempt = stream.attempts().stream().filter(a -> a.path("event_id").asText().equals(eventId))
                .findFirst().orElseThrow();
        // The event is the attempt as the list shows it, and its id is a position to resume from.
        JsonNode listed = s.account().api().get("/v1/attempts?event_id=" + eventId).json().path("data").path(0);
        assertThat(attempt).isEqualTo(listed);
        assertThat(attempt.path("outcome").asText()).isEqualTo("delivered");
        assertThat(stream.lastEventId()).hasValueSatisfying(id -> assertThat(id).matches("att_[0-9a-f]{32}"));

        // Quiet streams carry a heartbeat comment (every second here).
        int comments = stream.comments().size();
        await().atMost(WAIT).until(() -> stream.comments().size() >= comments + 2);
        assertThat(stream.comments()).contains("heartbeat");
    }

    @Test
    void resumesFromLastEventIdWithoutMissingAnAttempt() {
        Setup s = setUp();
        EventStreamClient first = open(s.account(), "", Optional.empty());
        String seen = chatwire.postEvent(RunningChatwire.chatEvent(s.chatbot(), "before the gap"));
        await().atMost(WAIT).until(() -> eventIds(first).contains(seen));
        String lastEventId = first.lastEventId().orElseThrow();
        first.close();

        List<String> missed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            missed.add(chatwire.postEvent(RunningChatwire.chatEvent(s.chatbot(), "during the gap " + i)));
        }
        await().atMost(WAIT).until(() -> s.account().api().get("/v1/attempts?limit=10").json().path("data").size() >= 4);

        EventStreamClient resumed = open(s.account(), "", Optional.of(lastEventId));
        await().atMost(WAIT).until(() -> eventIds(resumed).containsAll(missed));
        // Each attempt comes once per stream.
        List<String> ids = resumed.attempts().stream().map(a -> a.path("id").asText()).toList();
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void sendsAnAttemptThatBecameVisibleLateBehindOnesAlreadySent() throws Exception {
        Setup s = setUp();
        EventStreamClient stream = open(s.account(), "", Optional.empty());
        String eventId = chatwire.postEvent(RunningChatwire.chatEvent(s.chatbot(), "first"));
        await().atMost(WAIT).until(() -> eventIds(stream).contains(eventId));
        JsonNode sent = stream.attempts().getFirst();

        // Another node's attempt, made 3 s ago but committed only now (a slow commit, or its clock behind).
        String lateId = "att_" + HexFormat.of().toHexDigits(Instant.now().minusSeconds(3).toEpochMilli()).substring(4)
                + "7000800000000000000a";
        try (Connection c = chatwire.openJdbc(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO attempts (id, delivery_id, event_id, endpoint_id, account_id, attempt_number, cause, url,
                                      started_at, latency_ms, http_status, response_body, outcome, node_id)
                SELECT ?, delivery_id, event_id, endpoint_id, account_id, 2, 'manual', url, started_at, 5, 200, '',
                       'delivered', 'node-elsewhere'
                FROM attempts WHERE id = ?""")) {
            ps.setString(1, lateId);
            ps.setString(2, sent.path("id").asText());
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        assertThat(lateId).isLessThan(stream.lastEventId().orElseThrow());
        await().atMost(WAIT).until(() -> stream.attempts().stream().anyMatch(a -> a.path("id").asText().equals(lateId)));
        assertThat(stream.attempts().stream().filter(a -> a.path("id").asText().equals(lateId))
                .findFirst().orElseThrow().path("node_id").asText()).isEqualTo("node-elsewhere");
    }

    @Test
    void showsOnlyTheAccountsOwnAttemptsAndHonoursTheListsFilters() {
        Setup mine = setUp();
        Setup other = setUp();
        String second = chatwire.createEndpoint(mine.account(), mine.chatbot(), receiver.url("/live/second").toString(),
                "[\"chat\"]", true);
        EventStreamClient all = open(mine.account(), "", Optional.empty());
        EventStreamClient onlySecond = open(mine.account(), "?endpoint_id=" + second + "&outcome=delivered",
                Optional.empty());

        String theirs = chatwire.postEvent(RunningChatwire.chatEvent(other.chatbot(), "not yours"));
        String ours = chatwire.postEvent(RunningChatwire.chatEvent(mine.chatbot(), "yours"));
        await().atMost(WAIT).until(() -> all.attempts().size() >= 2 && !onlySecond.attempts().isEmpty());
        // The other account's attempt was logged too; it must not have reached either stream.
        await().atMost(WAIT).until(() -> other.account().api().get("/v1/attempts?event_id=" + theirs)
                .json().path("data").size() == 1);
        assertThat(eventIds(all)).containsExactly(ours).doesNotContain(theirs);
        assertThat(all.attempts()).extracting(a -> a.path("endpoint_id").asText())
                .containsExactlyInAnyOrder(mine.endpoint(), second);
        assertThat(onlySecond.attempts()).allSatisfy(a -> {
            assertThat(a.path("endpoint_id").asText()).isEqualTo(second);
            assertThat(a.path("event_id").asText()).isEqualTo(ours);
        });
    }

    @Test
    void refusesAStreamPastTheAccountsCapWithA429() {
        Setup s = setUp();
        EventStreamClient one = open(s.account(), "", Optional.empty());
        open(s.account(), "", Optional.empty());
        assertThat(one.status()).isEqualTo(200);

        EventStreamClient third = open(s.account(), "", Optional.empty());
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.refusal().path("error").asText()).isEqualTo("too_many_streams");
        assertThat(third.refusal().path("message").asText()).contains("2 live log streams");
        assertThat(third.header("retry-after")).hasValue("2");

        // Another account is not affected; and once a client leaves (noticed at a heartbeat), a slot is free.
        assertThat(open(setUp().account(), "", Optional.empty()).status()).isEqualTo(200);
        one.close();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            EventStreamClient again = open(s.account(), "", Optional.empty());
            return again.status() == 200;
        });
    }

    @Test
    void refusesBadRequestsBeforeStreaming() {
        Setup s = setUp();
        EventStreamClient anonymous = EventStreamClient.open(chatwire.baseUrl(), "/v1/attempts/stream",
                "cwk_not-a-real-key-000000000000", Optional.empty());
        streams.add(anonymous);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.refusal().path("error").asText()).isEqualTo("unauthorized");

        EventStreamClient badId = open(s.account(), "", Optional.of("not-an-id"));
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.refusal().path("error").asText()).isEqualTo("invalid_header");

        EventStreamClient badFilter = open(s.account(), "?outcome=maybe", Optional.empty());
        assertThat(badFilter.status()).isEqualTo(400);
        assertThat(badFilter.refusal().path("message").asText()).contains("outcome");

        ApiClient.Response operator = chatwire.operator().get("/v1/attempts/stream");
        assertThat(operator.status()).isEqualTo(403);
    }

    @Test
    void endsOpenStreamsAtOnceWhenTheServerStops() {
        RunningChatwire stopping = RunningChatwire.start(Map.of("CHATWIRE_LIVE_HEARTBEAT", "30s"));
        try {
            TestAccount account = stopping.createAccount("standard");
            EventStreamClient stream = EventStreamClient.open(stopping.baseUrl(), "/v1/attempts/stream",
                    account.apiKey(), Optional.empty());
            streams.add(stream);
            assertThat(stream.status()).isEqualTo(200);
            long start = System.nanoTime();
            stopping.stopKeepingData();
            // Not held until a heartbeat (30 s here) finds the stream: it ends as the server stops.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            await().atMost(WAIT).until(stream::ended);
        } finally {
            stopping.close();
        }
    }
}
