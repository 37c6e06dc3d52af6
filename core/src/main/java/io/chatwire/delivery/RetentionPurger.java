package io.chatwire.delivery;

import io.chatwire.event.EventStore;
import io.chatwire.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes events older than the retention period that have nothing left to deliver, with their
 * deliveries and attempts. It works in small batches, each its own short transaction, so that the
 * writer is never held for long and delivery goes on between batches.
 */
public final class RetentionPurger implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RetentionPurger.class);
    static final int BATCH = 500;

    private final Database db;
    private final Clock clock;
    private final Duration retention;
    private final Duration interval;
    private volatile boolean running;
    private Thread thread;

    public RetentionPurger(Database db, Clock clock, Duration retention, Duration interval) {
        this.db = db;
        this.clock = clock;
        this.retention = retention;
        this.interval = interval;
    }

    public void start() {
        running = true;
        thread = Thread.ofVirtual().name("chatwire-retention").start(this::loop);
    }

    private void loop() {
        while (running) {
            try {
                int purged = purgeOnce();
                if (purged > 0) {
                    log.info("retention: purged {} events older than {}", purged, retention);
                }
            } catch (RuntimeException e) {
                log.warn("retention purge failed; trying again later: {}", e.toString());
            }
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Purges everything past retention now, batch by batch; returns how many events went. */
    public int purgeOnce() {
        Instant cutoff = clock.instant().minus(retention);
        int total = 0;
        while (true) {
            int purged = db.write(c -> {
                List<String> ids = EventStore.oldSettled(c, cutoff, BATCH);
                DeliveryStore.deleteOfEvents(c, ids);
                return EventStore.delete(c, ids);
            });
            total += purged;
            if (purged < BATCH || !running && thread != null) {
                return total;
            }
            Thread.yield();
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
