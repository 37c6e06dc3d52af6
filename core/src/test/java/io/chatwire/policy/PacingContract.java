package io.chatwire.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.account.Account;
import io.chatwire.account.AccountStore;
import io.chatwire.account.Plan;
import io.chatwire.delivery.AttemptResult;
import io.chatwire.delivery.DeliveryJob;
import io.chatwire.delivery.DeliveryStore;
import io.chatwire.endpoint.Chatbot;
import io.chatwire.endpoint.ChatbotStore;
import io.chatwire.destination.Destination;
import io.chatwire.ordering.Ordering;
import io.chatwire.transform.Shaping;
import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.endpoint.Endpoint;
import io.chatwire.endpoint.EndpointStore;
import io.chatwire.event.Event;
import io.chatwire.event.EventStore;
import io.chatwire.event.EventType;
import io.chatwire.store.Database;
import io.chatwire.store.Ids;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What pacing must do on every database: each slot of a rate limit goes to one delivery only, however
 * many take slots at once; the ones too far ahead are told when to come back; a paused (or fully
 * booked) endpoint's due deliveries are not claimed until its pace allows.
 */
abstract class PacingContract {
    static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");
    static final Duration HORIZON = Duration.ofSeconds(2);

    protected abstract Database openDatabase();

    private Database db;
    private Account account;
    private Chatbot chatbot;
    private Endpoint endpoint;
    private Pacing pacing;

    @BeforeEach
    void setUp() {
        db = openDatabase();
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        account = new AccountStore(db, clock).create("Acme", Plan.STANDARD).account();
        chatbot = new ChatbotStore(db, clock).create(account.id(), Optional.of("bot_1"), "Support");
        PolicyEdit fivePerSecond = new PolicyEdit(new Edit.Set<>(5), Edit.keep(), Edit.keep(), Edit.keep());
        endpoint = new EndpointStore(db, clock).create(account.id(), chatbot.id(), new EndpointStore.Spec(
                URI.create("https://hooks.example.test/paced"), DeliveryContentType.TEXT_PLAIN, Set.of(EventType.CHAT),
                "paced", true, fivePerSecond, Destination.FOR_NEW_ENDPOINTS, Shaping.NONE,
                Ordering.NONE));
        pacing = new Pacing(db, HORIZON, Duration.ofHours(1));
    }

    @AfterEach
    void tearDown() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void givesEachSlotToOneDeliveryWhenManyAskAtOnce() throws Exception {
        assertThat(endpoint.policy().rateLimit()).contains(5);
        ConcurrentLinkedQueue<Pacing.Admission> answers = new ConcurrentLinkedQueue<>();
        try (ExecutorService askers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                askers.submit(() -> answers.add(pacing.admit(endpoint.id(), endpoint.policy(), T0)));
            }
        }
        List<Instant> slots = new ArrayList<>();
        int toldToComeBack = 0;
        for (Pacing.Admission a : answers) {
            switch (a) {
                case Pacing.Admission.Go go -> slots.add(T0);
                case Pacing.Admission.GoAt at -> slots.add(at.at());
                case Pacing.Admission.NotBefore later -> {
                    toldToComeBack++;
                    assertThat(later.at()).isEqualTo(T0.plus(HORIZON).plusMillis(200));
                }
            }
        }
        // 200 ms apart from now to the horizon (both ends included): 11 slots, each taken once.
        assertThat(slots.stream().sorted().toList()).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 11).mapToObj(i -> T0.plusMillis(200L * i)).toList());
        assertThat(toldToComeBack).isEqualTo(9);
    }

    @Test
    void doesNotClaimThePacedEndpointsDeliveriesUntilItsPaceAllows() {
        DeliveryStore store = new DeliveryStore(db, "node-a", Duration.ofMinutes(1));
        String due = waitingDelivery(store);
        Optional<Instant> paused = pacing.pauseFor(endpoint.id(),
                new AttemptResult.Answered(429, Duration.ofMillis(5), "", Optional.of(Duration.ofSeconds(30))), T0);

        assertThat(paused).contains(T0.plusSeconds(30));
        assertThat(store.claimDue(T0.plusSeconds(29), 10)).as("paused").isEmpty();
        List<DeliveryJob> claimed = store.claimDue(T0.plusSeconds(30), 10);
        assertThat(claimed).extracting(DeliveryJob::deliveryId).containsExactly(due);
        // The job carries the pause, so that a node that reads it acts on it without another query.
        assertThat(claimed.getFirst().policy().settings().pausedUntil()).contains(T0.plusSeconds(30));
        assertThat(claimed.getFirst().policy().settings().rateLimit()).contains(5);
    }

    @Test
    void keepsAPauseOfAtLeastAQuarterSecondAndAtMostTheCap() {
        assertThat(pacing.pauseFor(endpoint.id(), tooMany(Duration.ZERO), T0)).contains(T0.plusMillis(250));
        assertThat(pacing.pauseFor(endpoint.id(), tooMany(Duration.ofDays(3)), T0)).contains(T0.plus(Duration.ofHours(1)));
        assertThat(pacing.pauseFor(endpoint.id(),
                new AttemptResult.Answered(503, Duration.ZERO, "", Optional.of(Duration.ofSeconds(5))), T0))
                .as("only a 429 pauses the endpoint; a 503's Retry-After stays a retry's pause").isEmpty();
    }

    @Test
    void readsStaticHeadersBackOnlyThroughTheCipher() {
        EndpointStore endpoints = new EndpointStore(db, Clock.fixed(T0, ZoneOffset.UTC));
        Endpoint updated = endpoints.update(account.id(), endpoint.id(), new EndpointStore.Changes(Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), new PolicyEdit(Edit.keep(),
                        Edit.keep(), Edit.keep(), new Edit.Set<>(Map.of("Authorization", Optional.of("Bearer abc123")))),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(updated.policy().headerNames()).containsExactly("Authorization");
        StaticHeaders headers = db.read(c -> PolicyStore.headers(c, db.cipher(), endpoint.id()));
        assertThat(headers.values()).containsExactlyEntriesOf(Map.of("Authorization", "Bearer abc123"));
        assertThat(headers.toString()).doesNotContain("abc123");
    }

    private static AttemptResult tooMany(Duration retryAfter) {
        return new AttemptResult.Answered(429, Duration.ZERO, "", Optional.of(retryAfter));
    }

    private String waitingDelivery(DeliveryStore store) {
        Event event = new Event(Ids.newId("evt"), account.id(), chatbot.id(), EventType.CHAT,
                "{\"event\":\"chat\",\"chatbot_id\":\"bot_1\"}", Optional.empty(), T0);
        String deliveryId = Ids.newId("dlv");
        db.write(c -> {
            EventStore.insert(c, event);
            store.insertWaiting(c, deliveryId, event.id(), endpoint.id(), account.id(), T0);
            return null;
        });
        return deliveryId;
    }
}
