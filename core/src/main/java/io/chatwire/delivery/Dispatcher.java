package io.chatwire.delivery;

import io.chatwire.signing.WebhookSigner;
import io.chatwire.store.Ids;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    private final DeliveryStore store;
    private final HttpDeliverer http;
    private final RetryPolicy policy;
    private final Clock clock;
    private final RandomGenerator random;
    private final int maxInFlight;
    private final Semaphore slots;
    private final ExecutorService threads =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("chatwire-delivery-", 0).factory());
    private final MeterRegistry metrics;
    private final Timer latency;
    private volatile Consumer<Instant> onRetryScheduled = at -> { };
    private volatile boolean closing;

    public Dispatcher(DeliveryStore store, HttpDeliverer http, RetryPolicy policy, Clock clock, RandomGenerator random,
            int maxInFlight, MeterRegistry metrics) {
        this.store = store;
        this.http = http;
        this.policy = policy;
        this.clock = clock;
        this.random = random;
        this.maxInFlight = maxInFlight;
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

    /** How many more deliveries could start now. */
    public int freeSlots() {
        return slots.availablePermits();
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
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            attempt(job);
        } catch (RuntimeException e) {
            // The database may be down; the lease runs out and the delivery is tried again.
            log.warn("could not record the attempt of {}: {}", job, e.toString());
        } finally {
            slots.release();
        }
    }

    /**
     * Makes the job's attempt on the caller's thread and returns its log entry (for "send test event",
     * which shows the attempt in its answer). The caller must hold the job's lease.
     */
    public Optional<Attempt> attemptNow(DeliveryJob job) {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        try {
            return attempt(job);
        } finally {
            slots.release();
        }
    }

    /** One attempt, start to end. */
    private Optional<Attempt> attempt(DeliveryJob job) {
        Instant startedAt = clock.instant();
        AttemptResult result = call(job, startedAt);
        if (closing && Thread.currentThread().isInterrupted()) {
            return Optional.empty(); // Cut short by shutdown: not the receiver's fault, so not logged against it.
        }
        Outcome outcome = decide(job, result);
        Attempt attempt = logEntry(job, startedAt, result, outcome);
        boolean held = store.record(job, attempt, outcome, clock.instant(),
                !(result instanceof AttemptResult.NotAttempted));
        count(result, outcome);
        if (!held) {
            log.info("lease of {} was lost during the attempt; another node owns it now", job);
        } else if (outcome instanceof Outcome.Retry retry) {
            onRetryScheduled.accept(retry.at());
        }
        return Optional.of(attempt);
    }

    private AttemptResult call(DeliveryJob job, Instant startedAt) {
        if (job.url().isEmpty()) {
            return new AttemptResult.NotAttempted(ErrorKind.ENDPOINT_DELETED, "the endpoint was deleted");
        }
        if (!job.endpointEnabled()) {
            return new AttemptResult.NotAttempted(ErrorKind.ENDPOINT_DISABLED, "the endpoint is disabled");
        }
        byte[] body = job.payloadBytes();
        // The event id is the webhook-id: the same for every retry and every endpoint, so a receiver
        // can drop a copy it has already processed.
        Map<String, String> headers = WebhookSigner.headers(job.eventType().wireName(), job.eventId(), startedAt, body,
                job.secrets().current(), job.secrets().stillValid(startedAt));
        AttemptResult result = http.post(job.url().get(), headers, body);
        latency.record(result.latency());
        return result;
    }

    private Outcome decide(DeliveryJob job, AttemptResult result) {
        if (result.succeeded()) {
            return new Outcome.Delivered();
        }
        if (result instanceof AttemptResult.NotAttempted n) {
            return new Outcome.Failed(n.message());
        }
        Optional<Duration> askedPause = result instanceof AttemptResult.Answered a ? a.retryAfter() : Optional.empty();
        int made = job.cycleAttempts() + 1;
        return policy.pauseAfter(made, askedPause, random)
                .<Outcome>map(pause -> new Outcome.Retry(clock.instant().plus(pause)))
                .orElseGet(() -> new Outcome.Failed("no success after " + made + " attempts"));
    }

    private Attempt logEntry(DeliveryJob job, Instant startedAt, AttemptResult result, Outcome outcome) {
        Optional<Integer> status = result instanceof AttemptResult.Answered a ? Optional.of(a.status()) : Optional.empty();
        String body = result instanceof AttemptResult.Answered a ? a.body() : "";
        Optional<String> message = switch (result) {
            case AttemptResult.Answered a when a.isSuccess() -> Optional.empty();
            case AttemptResult.Answered a -> Optional.of("HTTP " + a.status());
            case AttemptResult.NotAnswered n -> Optional.of(n.message());
            case AttemptResult.NotAttempted n -> Optional.of(n.message());
        };
        return new Attempt(Ids.newId("att"), job.deliveryId(), job.eventId(), job.endpointId(), job.attempts() + 1,
                job.cause().wireName(), job.url().map(Object::toString).orElse(""), startedAt, result.latency(),
                status, body, outcome.wireName(), result.errorKind().map(ErrorKind::wireName), message, store.nodeId());
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

    int maxInFlight() {
        return maxInFlight;
    }
}
