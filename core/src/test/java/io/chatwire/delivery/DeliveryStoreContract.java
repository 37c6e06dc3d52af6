package io.chatwire.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.account.Account;
import io.chatwire.account.AccountStore;
import io.chatwire.account.Plan;
import io.chatwire.endpoint.Chatbot;
import io.chatwire.endpoint.ChatbotStore;
import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.endpoint.Endpoint;
import io.chatwire.endpoint.EndpointStore;
import io.chatwire.event.Event;
import io.chatwire.event.EventStore;
import io.chatwire.event.EventType;
import io.chatwire.store.Database;
import io.chatwire.store.Ids;
import io.chatwire.store.Jdbc;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every database behind {@link DeliveryStore} must do. A subclass supplies a fresh, migrated
 * database per test; everything else is set up through the public stores.
 */
abstract class DeliveryStoreContract {
    static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");
    static final Duration LEASE = Duration.ofHours(1);
    static final URI URL = URI.create("https://hooks.example.test/chatwire");
    static final String PAYLOAD = "{\"event\":\"chat\",\"chatbot_id\":\"bot_1\",\"score\":0.8503905227042547}";

    /** A fresh database with the schema migrated; closed after each test. */
    protected abstract Database openDatabase();

    private Database db;
    private AccountStore accounts;
    private EndpointStore endpoints;
    private Account account;
    private Chatbot chatbot;
    private Endpoint endpoint;
    private DeliveryStore nodeA;
    private DeliveryStore nodeB;

    @BeforeEach
    void setUp() {
        db = openDatabase();
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        accounts = new AccountStore(db, clock);
        endpoints = new EndpointStore(db, clock);
        account = accounts.create("Acme", Plan.STANDARD).account();
        chatbot = new ChatbotStore(db, clock).create(account.id(), Optional.of("bot_1"), "Support");
        endpoint = endpoints.create(account.id(), chatbot.id(),
                new EndpointStore.Spec(URL, DeliveryContentType.TEXT_PLAIN, Set.of(EventType.CHAT), "main", true));
        nodeA = new DeliveryStore(db, "node-a", LEASE);
        nodeB = new DeliveryStore(db, "node-b", LEASE);
    }

    @AfterEach
    void tearDown() {
        if (db != null) {
            db.close();
        }
    }

    // --- leases ----------------------------------------------------------------------------------

    @Test
    void aDeliveryLeasedAtInsertIsNotClaimedWhileItsLeaseRuns() {
        accept(nodeA, T0);

        assertThat(nodeB.claimDue(T0, 10)).isEmpty();
        assertThat(nodeB.claimDue(T0.plus(Duration.ofMinutes(30)), 10)).isEmpty();
        assertThat(nodeA.claimDue(T0.plus(Duration.ofMinutes(59)), 10)).isEmpty();
        assertThat(nodeB.claimDue(T0.plus(LEASE), 10)).as("the lease still runs at lease_until").isEmpty();
    }

    @Test
    void onceTheLeaseHasExpiredAnotherNodeClaimsItWithEverythingTheAttemptNeeds() {
        DeliveryJob first = accept(nodeA, T0);
        Instant later = T0.plus(LEASE).plusMillis(1);

        List<DeliveryJob> claimed = nodeB.claimDue(later, 10);

        assertThat(claimed).singleElement().satisfies(job -> {
            assertThat(job.deliveryId()).isEqualTo(first.deliveryId());
            assertThat(job.version()).isEqualTo(first.version() + 1);
            assertThat(job.secrets().current()).isEqualTo(account.signingSecret());
            assertThat(job.url()).contains(URL);
            assertThat(job.endpointEnabled()).isTrue();
            assertThat(job.endpointId()).isEqualTo(endpoint.id());
            assertThat(job.accountId()).isEqualTo(account.id());
            assertThat(job.eventId()).isEqualTo(first.eventId());
            assertThat(job.eventType()).isEqualTo(EventType.CHAT);
            assertThat(job.payload()).isEqualTo(PAYLOAD);
            assertThat(job.cause()).isEqualTo(DeliveryJob.Cause.SCHEDULED);
            assertThat(job.attempts()).isZero();
            assertThat(job.cycleAttempts()).isZero();
        });
        assertThat(leaseOf(first.deliveryId())).isEqualTo("node-b until " + later.plus(LEASE).toEpochMilli());
        assertThat(nodeA.claimDue(later, 10)).as("now held by node-b").isEmpty();
    }

    @Test
    void releasedLeasesAreClaimableAtOnce() {
        DeliveryJob ofA = accept(nodeA, T0);
        DeliveryJob ofB = accept(nodeB, T0);

        assertThat(nodeA.releaseLeases()).isEqualTo(1);

        assertThat(nodeB.claimDue(T0.plusSeconds(1), 10)).extracting(DeliveryJob::deliveryId)
                .containsExactly(ofA.deliveryId());
        assertThat(leaseOf(ofB.deliveryId())).startsWith("node-b");
    }

    @Test
    void releasingLeavesSettledDeliveriesAlone() {
        DeliveryJob job = accept(nodeA, T0);
        nodeA.record(job, attempt(nodeA, job, T0, new Outcome.Delivered()), new Outcome.Delivered(), T0.plusSeconds(1));

        assertThat(nodeA.releaseLeases()).isZero();
        assertThat(status(job)).isEqualTo(Delivery.Status.DELIVERED);
    }

    // --- recording attempts ----------------------------------------------------------------------

    @Test
    void recordingDeliveredSettlesTheDeliveryAndLogsTheAttempt() {
        DeliveryJob job = accept(nodeA, T0);
        Attempt attempt = attempt(nodeA, job, T0, new Outcome.Delivered());

        boolean held = nodeA.record(job, attempt, new Outcome.Delivered(), T0.plusSeconds(1));

        assertThat(held).isTrue();
        assertThat(nodeA.ofEvent(account.id(), job.eventId())).singleElement().satisfies(d -> {
            assertThat(d.id()).isEqualTo(job.deliveryId());
            assertThat(d.status()).isEqualTo(Delivery.Status.DELIVERED);
            assertThat(d.attempts()).isEqualTo(1);
            assertThat(d.nextAttemptAt()).isEmpty();
            assertThat(d.createdAt()).isEqualTo(T0);
            assertThat(d.updatedAt()).isEqualTo(T0.plusSeconds(1));
            assertThat(d.attemptLog()).containsExactly(attempt);
        });
        assertThat(nodeB.claimDue(T0.plus(Duration.ofDays(1)), 10)).isEmpty();
    }

    @Test
    void aRecordWithAStaleVersionIsRefusedButItsAttemptIsStillLogged() {
        DeliveryJob stale = accept(nodeA, T0);
        DeliveryJob current = nodeB.claimDue(T0.plus(LEASE).plusMillis(1), 10).getFirst();
        Attempt late = attempt(nodeA, stale, T0.plus(Duration.ofMinutes(61)), new Outcome.Delivered());

        boolean held = nodeA.record(stale, late, new Outcome.Delivered(), T0.plus(Duration.ofMinutes(62)));

        assertThat(held).isFalse();
        assertThat(nodeA.ofEvent(account.id(), stale.eventId())).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo(Delivery.Status.PENDING);
            assertThat(d.attempts()).isZero();
            assertThat(d.attemptLog()).containsExactly(late);
        });

        Attempt onTime = attempt(nodeB, current, T0.plus(Duration.ofMinutes(63)), new Outcome.Delivered());
        assertThat(nodeB.record(current, onTime, new Outcome.Delivered(), T0.plus(Duration.ofMinutes(64)))).isTrue();
        assertThat(nodeA.ofEvent(account.id(), stale.eventId())).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo(Delivery.Status.DELIVERED);
            assertThat(d.attemptLog()).containsExactly(late, onTime);
        });
    }

    @Test
    void aRetryIsClaimableOnlyOnceItIsDue() {
        DeliveryJob job = accept(nodeA, T0);
        Instant retryAt = T0.plus(Duration.ofMinutes(5));
        Outcome retry = new Outcome.Retry(retryAt);

        assertThat(nodeA.record(job, attempt(nodeA, job, T0, retry), retry, T0.plusSeconds(1))).isTrue();

        assertThat(nodeA.ofEvent(account.id(), job.eventId())).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo(Delivery.Status.PENDING);
            assertThat(d.nextAttemptAt()).contains(retryAt);
            assertThat(d.attempts()).isEqualTo(1);
        });
        assertThat(nodeA.nextDue()).contains(retryAt);
        assertThat(nodeB.claimDue(retryAt.minusMillis(1), 10)).isEmpty();
        assertThat(nodeB.claimDue(retryAt, 10)).singleElement().satisfies(next -> {
            assertThat(next.deliveryId()).isEqualTo(job.deliveryId());
            assertThat(next.attempts()).isEqualTo(1);
            assertThat(next.cycleAttempts()).isEqualTo(1);
            assertThat(next.version()).isGreaterThan(job.version() + 1);
        });
    }

    @Test
    void aRetryAfterARateLimitIsLoggedWithoutSpendingTheCyclesAttempts() {
        DeliveryJob job = accept(nodeA, T0);
        Instant retryAt = T0.plusSeconds(2);
        Outcome slowedDown = new Outcome.Retry(retryAt, false);

        assertThat(nodeA.record(job, attempt(nodeA, job, T0, slowedDown), slowedDown, T0.plusSeconds(1))).isTrue();

        assertThat(nodeB.claimDue(retryAt, 10)).singleElement().satisfies(next -> {
            assertThat(next.attempts()).as("the attempt happened and is counted").isEqualTo(1);
            assertThat(next.cycleAttempts()).as("but the retry schedule was not spent on it").isZero();
            assertThat(next.kind()).isEqualTo(io.chatwire.destination.Destination.WEBHOOK);
        });
    }

    @Test
    void aFailedOutcomeEndsTheDelivery() {
        DeliveryJob job = accept(nodeA, T0);
        Outcome failed = new Outcome.Failed("no success after 8 attempts");

        assertThat(nodeA.record(job, attempt(nodeA, job, T0, failed), failed, T0.plusSeconds(1))).isTrue();

        assertThat(status(job)).isEqualTo(Delivery.Status.FAILED);
        assertThat(nodeB.claimDue(T0.plus(Duration.ofDays(1)), 10)).isEmpty();
        assertThat(nodeA.nextDue()).isEmpty();
    }

    @Test
    void outcomesRecordedTogetherEachMoveOnlyTheirOwnDeliveryAndOnlyWhereTheLeaseHeld() throws Exception {
        List<DeliveryJob> held = new java.util.ArrayList<>();
        for (int i = 0; i < 70; i++) {
            held.add(accept(nodeA, T0));
        }
        List<DeliveryJob> lost = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            lost.add(accept(nodeA, T0.minus(LEASE).minusSeconds(1)));
        }
        assertThat(nodeB.claimDue(T0, 100)).as("the expired leases, taken over").hasSize(5);
        List<DeliveryJob> all = new java.util.ArrayList<>(held);
        all.addAll(lost);
        java.util.Collections.shuffle(all, new java.util.Random(7));
        java.util.Map<String, Outcome> outcomes = new java.util.HashMap<>();
        for (int i = 0; i < all.size(); i++) {
            outcomes.put(all.get(i).deliveryId(), switch (i % 3) {
                case 0 -> new Outcome.Delivered();
                case 1 -> new Outcome.Retry(T0.plus(Duration.ofMinutes(5)));
                default -> new Outcome.Failed("no success after 8 attempts");
            });
        }

        // Recorded concurrently, so that many outcomes share group transactions.
        java.util.Map<String, Boolean> answers = new java.util.concurrent.ConcurrentHashMap<>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (DeliveryJob job : all) {
                Outcome outcome = outcomes.get(job.deliveryId());
                threads.submit(() -> answers.put(job.deliveryId(),
                        nodeA.record(job, attempt(nodeA, job, T0, outcome), outcome, T0.plusSeconds(1))));
            }
        }

        for (DeliveryJob job : held) {
            Outcome outcome = outcomes.get(job.deliveryId());
            assertThat(answers.get(job.deliveryId())).isTrue();
            assertThat(nodeA.ofEvent(account.id(), job.eventId())).singleElement().satisfies(d -> {
                assertThat(d.status()).isEqualTo(switch (outcome) {
                    case Outcome.Delivered x -> Delivery.Status.DELIVERED;
                    case Outcome.Retry x -> Delivery.Status.PENDING;
                    case Outcome.Failed x -> Delivery.Status.FAILED;
                });
                assertThat(d.attempts()).isEqualTo(1);
                assertThat(d.nextAttemptAt()).isEqualTo(outcome instanceof Outcome.Retry r
                        ? Optional.of(r.at()) : Optional.empty());
                assertThat(d.updatedAt()).isEqualTo(T0.plusSeconds(1));
                assertThat(d.attemptLog()).singleElement()
                        .satisfies(a -> assertThat(a.outcome()).isEqualTo(outcome.wireName()));
            });
        }
        for (DeliveryJob job : lost) {
            assertThat(answers.get(job.deliveryId())).as("lease lost to node-b").isFalse();
            assertThat(nodeA.ofEvent(account.id(), job.eventId())).singleElement().satisfies(d -> {
                assertThat(d.status()).isEqualTo(Delivery.Status.PENDING);
                assertThat(d.attempts()).isZero();
                assertThat(d.attemptLog()).as("what happened is still logged").hasSize(1);
            });
            assertThat(leaseOf(job.deliveryId())).startsWith("node-b");
        }
    }

    @Test
    void twoOutcomesForOneDeliveryInOneTransactionApplyInOrderAndOnlyTheFirstHolds() {
        DeliveryJob job = accept(nodeA, T0);
        Outcome retry = new Outcome.Retry(T0.plus(Duration.ofMinutes(5)));

        List<BatchedOutcomes.LeaseCheck> checks = db.write(c -> List.of(
                BatchedOutcomes.add(account.id(), attempt(nodeA, job, T0, retry), job, retry, T0.plusSeconds(1), List.of()),
                BatchedOutcomes.add(account.id(), attempt(nodeA, job, T0, new Outcome.Delivered()), job,
                        new Outcome.Delivered(), T0.plusSeconds(2), List.of())));

        assertThat(checks).extracting(BatchedOutcomes.LeaseCheck::held).containsExactly(true, false);
        assertThat(nodeA.ofEvent(account.id(), job.eventId())).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo(Delivery.Status.PENDING);
            assertThat(d.updatedAt()).isEqualTo(T0.plusSeconds(1));
            assertThat(d.attemptLog()).hasSize(2);
        });
    }

    @Test
    void settledHooksRunInTheSameTransactionAfterTheStateChangeAndOnlyWhenTheLeaseHeld() {
        DeliveryStore hooked = new DeliveryStore(db, "node-a", LEASE);
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        hooked.onSettled((c, job, outcome, now) -> seen.add(job.deliveryId() + " " + outcome.wireName() + " "
                + Jdbc.queryOne(c, "SELECT status FROM deliveries WHERE id = ?", rs -> rs.getString(1),
                        job.deliveryId()).orElseThrow()));
        DeliveryJob job = accept(hooked, T0);
        DeliveryJob stale = accept(hooked, T0.minus(LEASE).minusSeconds(1));
        nodeB.claimDue(T0, 10);

        assertThat(hooked.record(job, attempt(hooked, job, T0, new Outcome.Delivered()), new Outcome.Delivered(),
                T0.plusSeconds(1))).isTrue();
        assertThat(hooked.record(stale, attempt(hooked, stale, T0, new Outcome.Delivered()), new Outcome.Delivered(),
                T0.plusSeconds(1))).isFalse();

        assertThat(seen).containsExactly(job.deliveryId() + " delivered delivered");
    }

    @Test
    void aHookThatFailsUndoesTheWholeRecordSoNothingIsHalfWritten() {
        DeliveryStore hooked = new DeliveryStore(db, "node-a", LEASE);
        hooked.onSettled((c, job, outcome, now) -> {
            throw new java.sql.SQLException("refused by the hook");
        });
        DeliveryJob job = accept(hooked, T0);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> hooked.record(job,
                attempt(hooked, job, T0, new Outcome.Delivered()), new Outcome.Delivered(), T0.plusSeconds(1)))
                .isInstanceOf(io.chatwire.store.StoreUnavailableException.class);

        assertThat(nodeA.ofEvent(account.id(), job.eventId())).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo(Delivery.Status.PENDING);
            assertThat(d.attemptLog()).isEmpty();
        });
    }

    // --- restarting --------------------------------------------------------------------------------

    @Test
    void restartingADeliveredDeliveryStartsANewCycleLeasedByTheRestarter() {
        DeliveryJob job = accept(nodeA, T0);
        nodeA.record(job, attempt(nodeA, job, T0, new Outcome.Delivered()), new Outcome.Delivered(), T0.plusSeconds(1));
        Instant now = T0.plus(Duration.ofMinutes(10));

        DeliveryStore.Restart restart = nodeB.restart(account.id(), job.eventId(), endpoint.id(), now);

        assertThat(restart).isInstanceOfSatisfying(DeliveryStore.Restart.Started.class, started -> {
            DeliveryJob again = started.job();
            assertThat(again.deliveryId()).isEqualTo(job.deliveryId());
            assertThat(again.cause()).isEqualTo(DeliveryJob.Cause.MANUAL);
            assertThat(again.cycleAttempts()).isZero();
            assertThat(again.attempts()).as("the total over all cycles is kept").isEqualTo(1);
            assertThat(again.url()).contains(URL);
            assertThat(again.secrets().current()).isEqualTo(account.signingSecret());
        });
        assertThat(status(job)).isEqualTo(Delivery.Status.PENDING);
        assertThat(leaseOf(job.deliveryId())).isEqualTo("node-b until " + now.plus(LEASE).toEpochMilli());
        assertThat(nodeA.claimDue(now.plusSeconds(1), 10)).isEmpty();
    }

    @Test
    void restartingADeliveryLeasedRightNowReportsItInFlight() {
        DeliveryJob job = accept(nodeA, T0);

        DeliveryStore.Restart restart = nodeB.restart(account.id(), job.eventId(), endpoint.id(), T0.plusSeconds(30));

        assertThat(restart).isEqualTo(new DeliveryStore.Restart.InFlight(job.deliveryId()));
        assertThat(leaseOf(job.deliveryId())).startsWith("node-a");
    }

    @Test
    void restartingADeliveryWhoseLeaseRanOutTakesItOver() {
        DeliveryJob job = accept(nodeA, T0);

        DeliveryStore.Restart restart = nodeB.restart(account.id(), job.eventId(), endpoint.id(),
                T0.plus(LEASE).plusSeconds(1));

        assertThat(restart).isInstanceOf(DeliveryStore.Restart.Started.class);
        assertThat(leaseOf(job.deliveryId())).startsWith("node-b");
    }

    @Test
    void restartingForAnEndpointThatNeverHadADeliveryCreatesOne() {
        Event event = insertEvent(T0);

        DeliveryStore.Restart restart = nodeA.restart(account.id(), event.id(), endpoint.id(), T0.plusSeconds(5));

        assertThat(restart).isInstanceOfSatisfying(DeliveryStore.Restart.Started.class, started -> {
            assertThat(started.job().cause()).isEqualTo(DeliveryJob.Cause.MANUAL);
            assertThat(started.job().eventId()).isEqualTo(event.id());
            assertThat(started.job().endpointId()).isEqualTo(endpoint.id());
            assertThat(started.job().attempts()).isZero();
        });
        assertThat(nodeA.ofEvent(account.id(), event.id())).singleElement()
                .satisfies(d -> assertThat(d.status()).isEqualTo(Delivery.Status.PENDING));
    }

    // --- claiming due work ---------------------------------------------------------------------------

    @Test
    void claimDueTakesTheOldestDueDeliveriesUpToTheLimit() {
        // Ids sort the other way round from due times, so id order cannot pass for due order.
        String dueLast = insertDelivery("dlv_1", T0.plusSeconds(30));
        String dueSecond = insertDelivery("dlv_2", T0.plusSeconds(20));
        String dueFirst = insertDelivery("dlv_3", T0.plusSeconds(10));
        insertDelivery("dlv_4", T0.plus(Duration.ofMinutes(5)));
        nodeA.releaseLeases();
        Instant now = T0.plus(Duration.ofMinutes(1));

        assertThat(nodeB.claimDue(now, 2)).extracting(DeliveryJob::deliveryId)
                .containsExactlyInAnyOrder(dueFirst, dueSecond);
        assertThat(nodeB.claimDue(now, 2)).extracting(DeliveryJob::deliveryId).containsExactly(dueLast);
        assertThat(nodeB.claimDue(now, 2)).as("dlv_4 is not due yet").isEmpty();
    }

    @Test
    void claimDueReturnsItsJobsOldestDueFirst() {
        String dueLast = insertDelivery("dlv_1", T0.plusSeconds(30));
        String dueSecond = insertDelivery("dlv_2", T0.plusSeconds(20));
        String dueFirst = insertDelivery("dlv_3", T0.plusSeconds(10));
        nodeA.releaseLeases();

        assertThat(nodeB.claimDue(T0.plus(Duration.ofMinutes(1)), 10)).extracting(DeliveryJob::deliveryId)
                .containsExactly(dueFirst, dueSecond, dueLast);
    }

    @Test
    void nextDueIsTheEarliestPendingDueTime() {
        assertThat(nodeA.nextDue()).isEmpty();
        insertDelivery("dlv_1", T0.plusSeconds(30));
        insertDelivery("dlv_2", T0.plusSeconds(10));

        assertThat(nodeA.nextDue()).contains(T0.plusSeconds(10));
    }

    // --- endpoint changes ----------------------------------------------------------------------------

    @Test
    void aDeliveryWhoseEndpointWasDeletedYieldsAJobWithoutUrl() {
        DeliveryJob job = accept(nodeA, T0);
        endpoints.delete(account.id(), endpoint.id());
        nodeA.releaseLeases();

        assertThat(nodeB.claimDue(T0.plusSeconds(1), 10)).singleElement().satisfies(orphan -> {
            assertThat(orphan.deliveryId()).isEqualTo(job.deliveryId());
            assertThat(orphan.endpointId()).isEqualTo(endpoint.id());
            assertThat(orphan.url()).isEmpty();
            assertThat(orphan.endpointEnabled()).isFalse();
        });
    }

    @Test
    void aDeliveryToADisabledEndpointSaysSo() {
        accept(nodeA, T0);
        endpoints.update(account.id(), endpoint.id(), new EndpointStore.Changes(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.of(false)));
        nodeA.releaseLeases();

        assertThat(nodeB.claimDue(T0.plusSeconds(1), 10)).singleElement().satisfies(job -> {
            assertThat(job.url()).contains(URL);
            assertThat(job.endpointEnabled()).isFalse();
        });
    }

    @Test
    void aJobCarriesItsEndpointsContentTypeAsItIsWhenLeased() {
        DeliveryJob accepted = accept(nodeA, T0);
        endpoints.update(account.id(), endpoint.id(), new EndpointStore.Changes(Optional.empty(),
                Optional.of(DeliveryContentType.APPLICATION_JSON), Optional.empty(), Optional.empty(), Optional.empty()));
        nodeA.releaseLeases();

        assertThat(accepted.contentType()).isEqualTo(DeliveryContentType.TEXT_PLAIN);
        assertThat(nodeB.claimDue(T0.plusSeconds(1), 10)).singleElement()
                .satisfies(job -> assertThat(job.contentType()).isEqualTo(DeliveryContentType.APPLICATION_JSON));
    }

    // --- reading -----------------------------------------------------------------------------------

    @Test
    void anEventsDeliveriesAreVisibleOnlyToItsAccount() {
        DeliveryJob job = accept(nodeA, T0);
        Account other = accounts.create("Other", Plan.STANDARD).account();

        assertThat(nodeA.ofEvent(other.id(), job.eventId())).isEmpty();
        assertThat(nodeA.ofEvent(account.id(), job.eventId())).hasSize(1);
    }

    // --- helpers -----------------------------------------------------------------------------------

    /** An event accepted by the node at the time: stored with a delivery the node leases at once. */
    private DeliveryJob accept(DeliveryStore node, Instant at) {
        Event event = insertEvent(at);
        String deliveryId = Ids.newId("dlv");
        return db.write(c -> {
            node.insertLeased(c, deliveryId, event.id(), endpoint.id(), account.id(), at);
            return node.jobs(c, List.of(deliveryId), DeliveryJob.Cause.SCHEDULED).getFirst();
        });
    }

    /** A delivery with the given id, due at the time, leased by node A. */
    private String insertDelivery(String deliveryId, Instant due) {
        Event event = insertEvent(due);
        db.write(c -> {
            nodeA.insertLeased(c, deliveryId, event.id(), endpoint.id(), account.id(), due);
            return null;
        });
        return deliveryId;
    }

    private Event insertEvent(Instant at) {
        Event event = new Event(Ids.newId("evt"), account.id(), chatbot.id(), EventType.CHAT, PAYLOAD,
                Optional.empty(), at);
        db.write(c -> {
            EventStore.insert(c, event);
            return null;
        });
        return event;
    }

    private static Attempt attempt(DeliveryStore node, DeliveryJob job, Instant startedAt, Outcome outcome) {
        boolean ok = outcome instanceof Outcome.Delivered;
        return new Attempt(Ids.newId("att"), job.deliveryId(), job.eventId(), job.endpointId(), job.attempts() + 1,
                job.cause().wireName(), job.url().map(URI::toString).orElse(""), startedAt, Duration.ofMillis(42),
                Optional.of(ok ? 200 : 503), ok ? "ok" : "busy", outcome.wireName(),
                ok ? Optional.empty() : Optional.of(ErrorKind.HTTP_STATUS.wireName()),
                ok ? Optional.empty() : Optional.of("HTTP 503"), node.nodeId(),
                java.util.Map.of("webhook-id", job.eventId(), "webhook-signature", "v1,AbCdEf…"));
    }

    private Delivery.Status status(DeliveryJob job) {
        return nodeA.ofEvent(account.id(), job.eventId()).getFirst().status();
    }

    /** "node until epoch-millis", or "free" when no node holds the delivery. */
    private String leaseOf(String deliveryId) {
        return db.read(c -> Jdbc.queryOne(c, "SELECT leased_by, lease_until FROM deliveries WHERE id = ?",
                rs -> rs.getString(1) == null ? "free" : rs.getString(1) + " until " + rs.getLong(2), deliveryId))
                .orElseThrow();
    }
}
