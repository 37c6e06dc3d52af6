package io.chatwire.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds deliveries that are due (retries, and work whose lease ran out because its node died) and
 * hands them to the dispatcher. New events do not wait for it: they are dispatched directly at
 * ingest. It sleeps until the earliest retry it was told of, or at most one poll interval, which
 * bounds how long expired leases of other nodes stay unclaimed.
 */
public final class DeliveryScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryScheduler.class);

    private final DeliveryStore store;
    private final Dispatcher dispatcher;
    private final Clock clock;
    private final Duration pollInterval;
    private final int batchSize;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeUp = lock.newCondition();
    private Instant wakeAt = Instant.MIN;
    private volatile boolean running;
    private Thread thread;

    public DeliveryScheduler(DeliveryStore store, Dispatcher dispatcher, Clock clock, Duration pollInterval, int batchSize) {
        this.store = store;
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.pollInterval = pollInterval;
        this.batchSize = batchSize;
        dispatcher.onRetryScheduled(this::wake);
    }

    public void start() {
        running = true;
        thread = Thread.ofVirtual().name("chatwire-scheduler").start(this::loop);
    }

    /** Asks for a look at the store no later than {@code at}. */
    public void wake(Instant at) {
        lock.lock();
        try {
            if (at.isBefore(wakeAt) || !wakeAt.isAfter(clock.instant())) {
                wakeAt = at;
                wakeUp.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (running) {
            boolean more = false;
            try {
                more = claimOnce();
            } catch (RuntimeException e) {
                log.warn("claiming due deliveries failed; trying again in {}: {}", pollInterval, e.toString());
            }
            if (!more) {
                sleep();
            }
        }
    }

    /** Claims and dispatches one batch; true when the batch was full, so more may be due. */
    boolean claimOnce() {
        int room = Math.min(batchSize, dispatcher.freeSlots());
        if (room <= 0) {
            return false;
        }
        List<DeliveryJob> jobs = store.claimDue(clock.instant(), room);
        dispatcher.dispatch(jobs);
        return jobs.size() == room;
    }

    private void sleep() {
        lock.lock();
        try {
            Instant now = clock.instant();
            Instant until = now.plus(pollInterval);
            if (wakeAt.isAfter(now) && wakeAt.isBefore(until)) {
                until = wakeAt;
            }
            long nanos = Duration.between(now, until).toNanos();
            if (nanos > 0 && running) {
                wakeUp.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        running = false;
        lock.lock();
        try {
            wakeUp.signal();
        } finally {
            lock.unlock();
        }
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
