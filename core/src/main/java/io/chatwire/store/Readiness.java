package io.chatwire.store;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node should get traffic, which means: can it commit? A database that answers reads
 * but refuses writes (files made read-only or immutable, a full disk, a PostgreSQL standby) takes no
 * event, so a node on it is not ready, however reachable. Found out by committing: the node's
 * heartbeat row is rewritten through the group-commit writer, so the probe takes the path every
 * ingest takes (and shares its batches).
 *
 * <p>At most one probe per {@link #PROBE_INTERVAL}, however often and by however many load balancers
 * readiness is asked; in between the last answer stands, unless a real commit has failed since, which
 * is evidence enough to answer "not ready" at once. So polling costs one small commit a second.
 */
public final class Readiness {
    private static final Logger log = LoggerFactory.getLogger(Readiness.class);

    static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
    /** Longer than a healthy group commit ever takes; shorter than a load balancer's probe timeout. */
    static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);
    private static final String BEAT = """
            INSERT INTO node_heartbeats (node_id, beat_at) VALUES (?, ?)
            ON CONFLICT (node_id) DO UPDATE SET beat_at = excluded.beat_at""";

    /** The answer. Reasons are for the public {@code /readyz}: what is wrong, never database details. */
    public sealed interface Status permits Ready, NotReady {
    }

    public record Ready() implements Status {
    }

    public record NotReady(String reason) implements Status {
    }

    private final Database db;
    private final String nodeId;
    private final Clock clock;
    private final ReentrantLock probing = new ReentrantLock();
    private boolean probed;
    private Status last = new NotReady("not probed yet");
    private long probedAt;
    private long failedCommitsAtProbe;

    public Readiness(Database db, String nodeId, Clock clock) {
        this.db = db;
        this.nodeId = nodeId;
        this.clock = clock;
    }

    /** Probes when the last probe is older than {@link #PROBE_INTERVAL}; one caller probes, the others wait for it. */
    public Status check() {
        probing.lock();
        try {
            if (probed && System.nanoTime() - probedAt < PROBE_INTERVAL.toNanos()) {
                return db.failedCommits() != failedCommitsAtProbe ? new NotReady("a commit failed just now") : last;
            }
            Status now = probe();
            // Counted from the answer, not the start: a probe that waited out the timeout is not
            // followed by another at once.
            probedAt = System.nanoTime();
            failedCommitsAtProbe = db.failedCommits();
            probed = true;
            last = now;
            return now;
        } finally {
            probing.unlock();
        }
    }

    private Status probe() {
        try {
            db.write(c -> Jdbc.update(c, BEAT, nodeId, clock.millis()), COMMIT_TIMEOUT);
            if (last instanceof NotReady && probed) {
                log.info("ready again: this node commits");
            }
            return new Ready();
        } catch (StoreUnavailableException e) {
            NotReady notReady = new NotReady(reasonFor(e));
            if (!(last instanceof NotReady before) || !before.reason().equals(notReady.reason()) || !probed) {
                log.warn("not ready: {} ({})", notReady.reason(), rootMessage(e));
            }
            return notReady;
        }
    }

    private static String reasonFor(StoreUnavailableException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return "the database did not commit within " + COMMIT_TIMEOUT.toSeconds() + "s";
            }
            if (t instanceof SQLTransientConnectionException
                    || t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return "the database is unreachable";
            }
        }
        return "the database refuses writes (read-only, full, or its files are not writable)";
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.toString();
    }
}
