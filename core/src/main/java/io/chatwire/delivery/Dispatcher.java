package io.chatwire.delivery;

import io.chatwire.policy.Pacing;
import io.chatwire.destination.Destination;
import io.chatwire.destination.Verdict;
import io.chatwire.destination.Webhook;
import io.chatwire.endpoint.DeliveryContentType;
import io.chatwire.ordering.Sequence;
import io.chatwire.signing.WebhookSigner;
import io.chatwire.store.Ids;
import io.chatwire.transform.Shaped;
import io.chatwire.transform.Shaper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works leased deliveries, each on its own virtual thread, so that an endpoint that hangs holds up
 * only its own deliveries. An attempt is a few named steps: sign, call, decide, record.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /**
     * Rate-limit answers a delivery may get without spending its retry schedule: enough for a burst to
     * drain at a service's pace, and a bound, so that a receiver that answers 429 forever still ends
     * in a failed delivery.
     */
    static final int SPARED_SLOWDOWNS = 50;
    /** In-flight attempts per endpoint unless configured otherwise. */
    public static final int DEFAULT_ENDPOINT_CONCURRENCY = 64;

    private final DeliveryStore store;
    private final DeliveryTransport transport;
    private final RetryPolicy policy;
    private final Clock clock;
    private final RandomGenerator random;
    private final Semaphore slots;
    private final ExecutorService threads =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("chatwire-delivery-", 0).factory());
    private final MeterRegistry metrics;
    private final Timer latency;
    private volatile Consumer<Instant> onRetryScheduled = at -> { };
    private volatile Optional<Pacing> pacing = Optional.empty();
    private volatile boolean closing;
    private final int endpointConcurrency;
    private final Duration endpointWait;
    private final Shaper shaper;
    /** One gate per endpoint with attempts running or waiting; removed when the last one leaves, so bounded. */
    private final ConcurrentHashMap<String, EndpointGate> gates = new ConcurrentHashMap<>();
    private final Counter endpointWaitsExpired;
    private final java.util.concurrent.atomic.AtomicInteger waitingForEndpoint = new java.util.concurrent.atomic.AtomicInteger();

    /** The permits of one endpoint, and how many attempts hold or wait for one. */
    private static final class EndpointGate {
        final Semaphore permits;
        int users;

        EndpointGate(int permits) {
            this.permits = new Semaphore(permits, true);
        }
    }

    public Dispatcher(DeliveryStore store, DeliveryTransport transport, RetryPolicy policy, Clock clock, RandomGenerator random,
            int maxInFlight, MeterRegistry metrics) {
        this(store, transport, policy, clock, random, maxInFlight, DEFAULT_ENDPOINT_CONCURRENCY, metrics,
                new Shaper(metrics));
    }

    /**
     * @param endpointConcurrency attempts in flight at once to one endpoint; more wait for a turn (not
     *     holding one of the {@code maxInFlight} slots meanwhile), for up to half the lease: one that
     *     waits longer is given up, unrecorded, and its lease runs out and the scheduler claims it again
     *     later — nothing is failed for waiting
     */
    public Dispatcher(DeliveryStore store, DeliveryTransport transport, RetryPolicy policy, Clock clock, RandomGenerator random,
            int maxInFlight, int endpointConcurrency, MeterRegistry metrics, Shaper shaper) {
        if (endpointConcurrency < 1) {
            throw new IllegalArgumentException("endpointConcurrency must be at least 1");
        }
        this.endpointConcurrency = endpointConcurrency;
        this.shaper = shaper;
        this.endpointWait = store.leaseDuration().dividedBy(2);
        this.endpointWaitsExpired = Counter.builder("chatwire.delivery.endpoint.waits.expired")
                .description("Attempts given back (lease left to run out) after waiting too long for a turn at their endpoint")
                .register(metrics);
        this.store = store;
        this.transport = transport;
        this.policy = policy;
        this.clock = clock;
        this.random = random;
        this.slots = new Semaphore(maxInFlight);
        this.metrics = metrics;
        this.latency = Timer.builder("chatwire.delivery.latency")
                .description("Time from sending a delivery to its answer")
                .publishPercentileHistogram()
                .register(metrics);
    }

    /** Called with the due time of every retry this dispatcher schedules (the scheduler wakes for it). */
    public void onRetryScheduled(Consumer<Instant> listener) {
        this.onRetryScheduled = listener;
    }

    /** Keeps endpoints with a rate limit, or a pause their receiver asked for, to their pace. */
    public void paceWith(Pacing pacing) {
        this.pacing = Optional.of(pacing);
    }

    /**
     * How many more deliveries could start now. Attempts waiting for a turn at a busy endpoint count
     * as taken, so that the scheduler does not claim a backlog that would only wait (and give its
     * leases back) behind one slow endpoint.
     */
    public int freeSlots() {
        return Math.max(0, slots.availablePermits() - waitingForEndpoint.get());
    }

    /** Starts the jobs; returns at once. */
    public void dispatch(List<DeliveryJob> jobs) {
        for (DeliveryJob job : jobs) {
            if (closing) {
                return; // The lease runs out or is released at close; the job is not lost.
            }
            threads.execute(() -> run(job));
        }
    }

    private void run(DeliveryJob job) {
        try {
            withTurns(job);
        } catch (RuntimeException e) {
            // The database may be down; the lease runs out and the delivery is tried again.
            log.warn("could not record the attempt of {}: {}", job, e.toString());
        }
    }

    /**
     * Takes the endpoint's turn, then a node-wide slot, and makes the attempt. The endpoint's turn is
     * given back as soon as its answer is in: the limit is on requests in flight to the receiver, and
     * holding it through the durable record of the attempt would cap a busy endpoint at the writer's
     * pace. Empty when the wait for a turn ran out (the delivery is left for the scheduler).
     */
    private Optional<Attempt> withTurns(DeliveryJob job) {
        if (!pacedTurn(job)) {
            return Optional.empty();
        }
        EndpointGate gate = enter(job.endpointId());
        Runnable giveBackTurn = onlyOnce(gate.permits::release);
        try {
            // The endpoint's turn first, then a node-wide slot: an attempt waiting for a busy endpoint
            // must not hold a slot that another endpoint's attempt could use.
            if (!awaitTurn(gate)) {
                endpointWaitsExpired.increment();
                log.debug("{} waited {} for a turn at its endpoint; left for the scheduler", job, endpointWait);
                return Optional.empty();
            }
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                giveBackTurn.run();
                throw e;
            }
            try {
                return attempt(job, giveBackTurn);
            } finally {
                slots.release();
                giveBackTurn.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            leave(job.endpointId(), gate);
        }
    }

    /**
     * Waits for the endpoint's next slot when it is soon; false when the delivery was given back
     * instead (due when the endpoint may take it), which is neither an attempt nor a retry.
     */
    private boolean pacedTurn(DeliveryJob job) {
        if (pacing.isEmpty()) {
            return true;
        }
        Instant now = clock.instant();
        return switch (pacing.get().admit(job.endpointId(), job.policy().settings(), now)) {
            case Pacing.Admission.Go go -> true;
            case Pacing.Admission.GoAt slot -> {
                try {
                    Thread.sleep(Duration.between(now, slot.at()));
                    yield true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    yield false; // Shutting down: the lease is released at close.
                }
            }
            case Pacing.Admission.NotBefore later -> {
                Counter.builder("chatwire.delivery.paced")
                        .description("Deliveries given back without an attempt: their endpoint's rate limit or pause holds them")
                        .register(metrics)
                        .increment();
                if (store.postpone(job, later.at(), now)) {
                    onRetryScheduled.accept(later.at());
                }
                yield false;
            }
        };
    }

    private static Runnable onlyOnce(Runnable action) {
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                action.run();
            }
        };
    }

    private boolean awaitTurn(EndpointGate gate) throws InterruptedException {
        if (gate.permits.tryAcquire(0, TimeUnit.NANOSECONDS)) {
            return true;
        }
        waitingForEndpoint.incrementAndGet();
        try {
            return gate.permits.tryAcquire(endpointWait.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            waitingForEndpoint.decrementAndGet();
        }
    }

    private EndpointGate enter(String endpointId) {
        return gates.compute(String.valueOf(endpointId), (id, g) -> {
            EndpointGate gate = g == null ? new EndpointGate(endpointConcurrency) : g;
            gate.users++;
            return gate;
        });
    }

    private void leave(String endpointId, EndpointGate gate) {
        gates.computeIfPresent(String.valueOf(endpointId), (id, g) -> --g.users == 0 ? null : g);
    }

    /** Attempts to the endpoint holding or waiting for a turn now (for tests and metrics). */
    int endpointUsers(String endpointId) {
        EndpointGate g = gates.get(endpointId);
        return g == null ? 0 : g.users;
    }

    /** Endpoints with attempts running or waiting (the gate map's size: bounded by those attempts). */
    int endpointGates() {
        return gates.size();
    }

    /**
     * Makes the job's attempt on the caller's thread and returns its log entry (for "send test event",
     * which shows the attempt in its answer). The caller must hold the job's lease.
     */
    public Optional<Attempt> attemptNow(DeliveryJob job) {
        return withTurns(job);
    }

    /** One attempt, start to end. */
    private Optional<Attempt> attempt(DeliveryJob job, Runnable answered) {
        Instant startedAt = clock.instant();
        Exchange exchange = call(job, startedAt);
        AttemptResult result = exchange.result();
        answered.run();
        if (closing && Thread.currentThread().isInterrupted()) {
            return Optional.empty(); // Cut short by shutdown: not the receiver's fault, so not logged against it.
        }
        Outcome outcome = decide(job, result);
        Attempt attempt = logEntry(job, startedAt, result, outcome, exchange.sentHeaders());
        DeliveryStore.Recorded recorded = store.recordAttempt(job, attempt, outcome, clock.instant(),
                !(result instanceof AttemptResult.NotAttempted || result instanceof AttemptResult.Dropped));
        boolean held = recorded.held();
        // The next delivery of an ordered conversation, leased to this node as its head ended.
        dispatch(recorded.next());
        count(result, outcome);
        if (!held) {
            log.info("lease of {} was lost during the attempt; another node owns it now", job);
        } else if (outcome instanceof Outcome.Retry retry) {
            onRetryScheduled.accept(retry.at());
        }
        return Optional.of(attempt);
    }

    /**
     * What one attempt got back, and the headers it sent as the attempt log keeps them (none when no
     * request was made): recorded so that the log shows the signatures a receiver actually got, not
     * ones recomputed later with whatever secret is current by then.
     */
    private record Exchange(AttemptResult result, Map<String, String> sentHeaders) {
        static Exchange notAttempted(ErrorKind kind, String message) {
            return new Exchange(new AttemptResult.NotAttempted(kind, message), Map.of());
        }
    }

    private Exchange call(DeliveryJob job, Instant startedAt) {
        if (job.url().isEmpty()) {
            return Exchange.notAttempted(ErrorKind.ENDPOINT_DELETED, "the endpoint was deleted");
        }
        if (!job.endpointEnabled()) {
            return Exchange.notAttempted(ErrorKind.ENDPOINT_DISABLED, "the endpoint is disabled");
        }
        if (!job.accountHasWebhooks()) {
            return Exchange.notAttempted(ErrorKind.PLAN_WITHOUT_WEBHOOKS,
                    "the account moved to the free plan, which has no webhooks");
        }
        // The body is made before signing, so that the signature covers the bytes actually sent: the
        // endpoint's transform makes it when it has one (for a Slack or Discord endpoint, that service's
        // message), else the endpoint's kind renders the event.
        Optional<Destination.Outgoing> transformed = Optional.empty();
        Map<String, String> transformHeaders = Map.of();
        if (job.shaping().filter().isPresent() || job.shaping().transform().isPresent()) {
            // A filter that failed at ingest fails again here, so that its message reaches the log.
            switch (shaper.bodyFor(job.shaping(), job.payload())) {
                case Shaped.Send send when job.shaping().transform().isPresent() -> {
                    transformed = Optional.of(new Destination.Outgoing(send.body(), job.kind() instanceof Webhook
                            ? job.contentType() : DeliveryContentType.APPLICATION_JSON));
                    transformHeaders = send.headers();
                }
                case Shaped.Send send -> {
                }
                case Shaped.Drop d -> {
                    return new Exchange(new AttemptResult.Dropped(d.reason()), Map.of());
                }
                case Shaped.Broken b -> {
                    return Exchange.notAttempted(ErrorKind.TRANSFORM, b.message());
                }
            }
        }
        Destination.Outgoing outgoing = transformed.orElseGet(
                () -> job.kind().outgoing(job.eventType(), job.payload(), job.eventId(), job.contentType()));
        byte[] body = outgoing.body();
        // The event id is the webhook-id: the same for every retry and every endpoint, so a receiver
        // can drop a copy it has already processed.
        Map<String, String> headers = new java.util.LinkedHashMap<>(job.policy().headers().values());
        headers.putAll(transformHeaders);
        headers.putAll(Sequence.withHeader(WebhookSigner.headers(job.eventType().wireName(), job.eventId(), startedAt,
                body, job.secrets().current(), job.secrets().stillValid(startedAt)), job.sequence()));
        AttemptResult result = transport.post(job.url().get(), outgoing.contentType(), headers, body,
                job.policy().settings().timeout());
        latency.record(result.latency());
        Map<String, String> sent = new java.util.LinkedHashMap<>();
        sent.put("content-type", outgoing.contentType().headerValue());
        sent.putAll(WebhookSigner.forAttemptLog(headers));
        return new Exchange(withServiceHint(withoutSignatures(result, headers, job), job.kind()), sent);
    }

    /** The answer with the pause its service asked for in its own way (Discord's JSON retry_after). */
    private static AttemptResult withServiceHint(AttemptResult result, Destination kind) {
        if (!(result instanceof AttemptResult.Answered a) || a.isSuccess()) {
            return result;
        }
        Optional<Duration> hint = kind.verdictOn(a.status(), a.body(), a.retryAfter()).askedPause();
        return hint.equals(a.retryAfter()) ? result : new AttemptResult.Answered(a.status(), a.latency(), a.body(), hint);
    }

    /**
     * The result with every signature and secret of this request cut out of the answer's body, which
     * goes into the attempt log: a receiver that echoes the request's headers back must not put a
     * full signature into a log that anyone with the account's API key can read.
     */
    /** Shorter values (a static header of "1", say) would redact ordinary text of the answer. */
    private static final int MIN_REDACTED_LENGTH = 6;

    static AttemptResult withoutSignatures(AttemptResult result, Map<String, String> headers, DeliveryJob job) {
        if (!(result instanceof AttemptResult.Answered a) || a.body().isEmpty()) {
            return result;
        }
        java.util.List<String> sensitive = new java.util.ArrayList<>();
        sensitive.add(headers.get(WebhookSigner.CHAT_DATA_SIGNATURE));
        for (String signature : String.valueOf(headers.get(WebhookSigner.WEBHOOK_SIGNATURE)).split(" ")) {
            sensitive.add(signature.substring(signature.indexOf(',') + 1));
        }
        java.util.List<io.chatwire.signing.SigningSecret> secrets = new java.util.ArrayList<>();
        secrets.add(job.secrets().current());
        job.secrets().previous().ifPresent(secrets::add);
        for (io.chatwire.signing.SigningSecret secret : secrets) {
            sensitive.add(secret.value().substring(io.chatwire.signing.SigningSecret.PREFIX.length()));
        }
        sensitive.addAll(job.policy().headers().values().values());
        String body = a.body();
        for (String value : sensitive) {
            if (value != null && value.length() >= MIN_REDACTED_LENGTH) {
                // As sent, and as a JSON encoder that escapes '/' would echo it.
                body = body.replace(value, "[redacted]").replace(value.replace("/", "\\/"), "[redacted]");
            }
        }
        return body.equals(a.body()) ? result : new AttemptResult.Answered(a.status(), a.latency(), body, a.retryAfter());
    }

    private Outcome decide(DeliveryJob job, AttemptResult result) {
        if (result.succeeded()) {
            return new Outcome.Delivered();
        }
        if (result instanceof AttemptResult.NotAttempted n) {
            return new Outcome.Failed(n.message());
        }
        if (result instanceof AttemptResult.Answered a) {
            Verdict verdict = job.kind().verdictOn(a.status(), a.body(), a.retryAfter());
            if (verdict instanceof Verdict.Refused refused) {
                return new Outcome.Failed(refused.reason());
            }
            // A receiver asking for a pause is spared the schedule's attempts, up to a cap, so that one
            // answering 429 for ever still ends in a failed delivery.
            if (job.attempts() < job.policy().settings().retries(policy).maxAttempts() + SPARED_SLOWDOWNS) {
                // The whole endpoint waits (pacing, shared by a cluster's nodes), this delivery with it.
                Optional<Instant> paused = pacing.flatMap(p -> p.pauseFor(job.endpointId(), result, clock.instant()));
                if (paused.isPresent()) {
                    return new Outcome.Retry(paused.get(), false);
                }
                if (verdict instanceof Verdict.SlowDown slow) {
                    return new Outcome.Retry(clock.instant().plus(slowDownPause(slow.pause())), false);
                }
            }
        }
        Optional<Duration> askedPause = result instanceof AttemptResult.Answered a ? a.retryAfter() : Optional.empty();
        int made = job.cycleAttempts() + 1;
        return job.policy().settings().retries(policy).pauseAfter(made, askedPause, random)
                .<Outcome>map(pause -> new Outcome.Retry(clock.instant().plus(pause)))
                .orElseGet(() -> new Outcome.Failed("no success after " + made + " attempts"));
    }

    /**
     * The asked pause (up to the policy's cap), never less, plus up to a tenth more (at least up to
     * 250 ms) so that the deliveries a rate limit stopped together do not all come back at one instant.
     */
    private Duration slowDownPause(Duration asked) {
        Duration pause = asked.compareTo(policy.maxRetryAfter()) > 0 ? policy.maxRetryAfter() : asked;
        long spreadMillis = Math.max(250, pause.toMillis() / 10);
        return pause.plusMillis(random.nextLong(spreadMillis + 1));
    }

    private Attempt logEntry(DeliveryJob job, Instant startedAt, AttemptResult result, Outcome outcome,
            Map<String, String> sentHeaders) {
        Optional<Integer> status = result instanceof AttemptResult.Answered a ? Optional.of(a.status()) : Optional.empty();
        String body = result instanceof AttemptResult.Answered a ? a.body() : "";
        Optional<String> message = switch (result) {
            case AttemptResult.Answered a when a.isSuccess() -> Optional.empty();
            case AttemptResult.Answered a -> Optional.of("HTTP " + a.status() + switch (outcome) {
                case Outcome.Failed f when job.kind().verdictOn(a.status(), a.body(), a.retryAfter())
                        instanceof Verdict.Refused -> ": " + f.reason();
                case Outcome.Retry r when !r.usesUpAnAttempt() ->
                        ": rate-limited; the next attempt waits for the pause asked for and uses up no attempt";
                default -> "";
            });
            case AttemptResult.NotAnswered n -> Optional.of(n.message());
            case AttemptResult.NotAttempted n -> Optional.of(n.message());
            case AttemptResult.Dropped d -> Optional.of(d.reason());
        };
        return new Attempt(Ids.newId("att"), job.deliveryId(), job.eventId(), job.endpointId(), job.attempts() + 1,
                job.cause().wireName(), job.url().map(Object::toString).orElse(""), startedAt, result.latency(),
                status, body, outcome.wireName(), result.errorKind().map(ErrorKind::wireName), message, store.nodeId(),
                sentHeaders);
    }

    private void count(AttemptResult result, Outcome outcome) {
        Counter.builder("chatwire.delivery.attempts")
                .description("Delivery attempts by outcome and error kind")
                .tag("outcome", outcome.wireName())
                .tag("error", result.errorKind().map(ErrorKind::wireName).orElse("none"))
                .register(metrics)
                .increment();
    }

    /**
     * Stops taking jobs and gives in-flight attempts up to {@code grace} to finish; attempts still
     * running then are interrupted, and the caller releases their leases.
     */
    public void close(Duration grace) {
        closing = true;
        threads.shutdown();
        try {
            if (!threads.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                threads.shutdownNow();
                threads.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
