package io.chatwire.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadinessTest {
    @TempDir
    Path dir;

    private Database db;
    private final ProbeCountingClock clock = new ProbeCountingClock();

    @BeforeEach
    void open() {
        db = Database.open("jdbc:sqlite:" + dir.resolve("t.db"), "");
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void commitsAHeartbeatAtMostOncePerIntervalHoweverOftenItIsAsked() throws Exception {
        Readiness readiness = new Readiness(db, "node-a", clock);
        AtomicInteger checks = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + Duration.ofMillis(2_500).toNanos();
        try (ExecutorService askers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++) {
                askers.submit(() -> {
                    while (System.nanoTime() < end) {
                        assertThat(readiness.check()).isEqualTo(new Readiness.Ready());
                        checks.incrementAndGet();
                    }
                    return null;
                });
            }
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        long probes = clock.reads.get();
        System.out.printf("readiness: %d checks in %d ms took %d heartbeat commits%n", checks.get(), elapsedMillis, probes);
        assertThat(probes).as("heartbeat commits").isBetween(1L, elapsedMillis / Readiness.PROBE_INTERVAL.toMillis() + 1);
        assertThat(checks.get()).as("checks answered").isGreaterThan((int) probes * 10);
        java.util.Optional<Long> beat = db.read(c -> Jdbc.queryOne(c,
                "SELECT beat_at FROM node_heartbeats WHERE node_id = ?", rs -> rs.getLong(1), "node-a"));
        assertThat(beat).as("the heartbeat row holds the last probe's time").contains(clock.lastBeat.get());
    }

    @Test
    void isNotReadyAtOnceWhenACommitFailsBetweenProbesAndReadyAgainOnceOneSucceeds() {
        Readiness readiness = new Readiness(db, "node-a", clock);
        assertThat(readiness.check()).isEqualTo(new Readiness.Ready());
        // A constraint checked at COMMIT fails the whole batch's commit, as a full disk would.
        db.write(c -> Jdbc.update(c, """
                CREATE TABLE deferred_child (parent TEXT REFERENCES node_heartbeats (node_id)
                    DEFERRABLE INITIALLY DEFERRED)"""));
        assertThatThrownBy(() -> db.write(c -> Jdbc.update(c, "INSERT INTO deferred_child VALUES ('nobody')")))
                .isInstanceOf(StoreUnavailableException.class);

        assertThat(readiness.check()).as("right after the failed commit, before the next probe")
                .isInstanceOf(Readiness.NotReady.class);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> readiness.check() instanceof Readiness.Ready);
    }

    /** The system clock, counting the reads Readiness makes: one per heartbeat it commits. */
    private static final class ProbeCountingClock extends Clock {
        final AtomicLong reads = new AtomicLong();
        final AtomicLong lastBeat = new AtomicLong();

        @Override
        public long millis() {
            reads.incrementAndGet();
            long now = System.currentTimeMillis();
            lastBeat.set(now);
            return now;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
