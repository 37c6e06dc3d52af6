package io.chatwire.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every write of the process through writer threads that commit concurrent pieces of work
 * together, in one transaction (group commit). A durable commit costs an fsync; sharing one among
 * many concurrent ingests is what makes durable acceptance fast. One piece failing undoes only
 * itself (the others run again without it, at most once however many fail), and a piece's caller is
 * answered only after the commit that holds it.
 *
 * <p>SQLite has a single writer anyway; funnelling writes here also means it never sees two
 * writers race for the lock.
 */
final class GroupCommitWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

    private static final int MAX_TRIES = 3;

    private final DataSource dataSource;
    private final int maxBatch;
    private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong failedCommits = new AtomicLong();
    private volatile boolean running = true;

    private record Pending<T>(SqlWork<T> work, CompletableFuture<T> result) {
    }

    /**
     * @param writers how many transactions may be open at once: 1 for SQLite (one writer is all it
     *     allows), a few for PostgreSQL so one slow commit does not hold up the next batch
     */
    GroupCommitWriter(DataSource dataSource, int maxBatch, int writers) {
        this.dataSource = dataSource;
        this.maxBatch = maxBatch;
        for (int i = 0; i < writers; i++) {
            // Platform threads: JDBC drivers (sqlite-jdbc in particular) block in native code, which
            // would pin a virtual thread's carrier anyway.
            threads.add(Thread.ofPlatform().name("chatwire-db-writer-" + i).daemon(true).start(this::loop));
        }
    }

    /** Runs the work in a committed transaction and returns its result; blocks until committed. */
    <T> T write(SqlWork<T> work) throws SQLException {
        return await(submit(work), Optional.empty());
    }

    /**
     * As {@link #write(SqlWork)}, but gives up waiting after {@code timeout} (the work stays queued
     * and may still commit later): for callers that must answer in time, such as a readiness probe.
     */
    <T> T write(SqlWork<T> work, Duration timeout) throws SQLException {
        return await(submit(work), Optional.of(timeout));
    }

    /** How many batches failed to commit since the writer started (a count only ever grows). */
    long failedCommits() {
        return failedCommits.get();
    }

    private <T> CompletableFuture<T> submit(SqlWork<T> work) {
        if (!running) {
            throw new StoreUnavailableException("the store is shutting down", null);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        queue.add(new Pending<>(work, result));
        return result;
    }

    private static <T> T await(CompletableFuture<T> result, Optional<Duration> timeout) throws SQLException {
        try {
            return timeout.isEmpty() ? result.get() : result.get(timeout.get().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while waiting for a commit", e);
        } catch (TimeoutException e) {
            throw new StoreUnavailableException("no commit within " + timeout.orElseThrow(), e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case SQLException sql -> throw sql;
                case RuntimeException re -> throw re;
                case Error err -> throw err;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }

    private void loop() {
        List<Pending<?>> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Pending<?> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                log.error("writer loop failed; failing its batch and going on", e);
                batch.forEach(p -> p.result().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
        Pending<?> left;
        while ((left = queue.poll()) != null) {
            left.result().completeExceptionally(new StoreUnavailableException("the store is shut down", null));
        }
    }

    private void commit(List<Pending<?>> batch) {
        for (int attempt = 1; ; attempt++) {
            try {
                List<Runnable> answers = commitOnce(batch);
                answers.forEach(Runnable::run);
                return;
            } catch (SQLException e) {
                if (isTransient(e) && attempt < MAX_TRIES) {
                    // A deadlock victim or serialization failure: nothing was committed, so the whole
                    // batch simply runs again.
                    log.info("retrying a write batch after a transient database error: {}", e.getMessage());
                    continue;
                }
                failedCommits.incrementAndGet();
                StoreUnavailableException failure = new StoreUnavailableException("the database refused the commit", e);
                batch.forEach(p -> p.result().completeExceptionally(failure));
                return;
            }
        }
    }

    /**
     * Runs the batch in one transaction and commits it. Pieces run without savepoints (two statements
     * each, on the hot path): when one fails, the transaction is rolled back and run again without it,
     * so a refusal still undoes only its own piece. That second run puts each piece under a savepoint,
     * so a further failure undoes only itself there: however many pieces fail — and a tenant can make
     * its own requests fail at will — the others run at most twice.
     */
    private List<Runnable> commitOnce(List<Pending<?>> batch) throws SQLException {
        List<Runnable> failures = new ArrayList<>();
        List<Pending<?>> remaining = new ArrayList<>(batch);
        java.util.concurrent.atomic.AtomicBoolean readOnly = new java.util.concurrent.atomic.AtomicBoolean();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean isolated = false;
                while (true) {
                    List<Runnable> answers = new ArrayList<>(remaining.size() + failures.size());
                    DeferredUpdates deferred = new DeferredUpdates();
                    Pending<?> failed = null;
                    for (Pending<?> p : remaining) {
                        Optional<Runnable> answer = runOne(c, p, deferred, failures, isolated, readOnly);
                        if (answer.isPresent()) {
                            answers.add(answer.get());
                        } else if (!isolated) {
                            failed = p;
                            break;
                        }
                    }
                    if (failed != null) {
                        c.rollback();
                        remaining.remove(failed);
                        isolated = true;
                        continue;
                    }
                    KeptStatements.keptFor(c, conn -> {
                        deferred.applyInKeyOrder(conn);
                        return null;
                    });
                    c.commit();
                    answers.addAll(failures);
                    c.setAutoCommit(true);
                    evictIfReadOnly(c, readOnly.get());
                    return answers;
                }
            } catch (Throwable t) {
                evictIfReadOnly(c, readOnly.get() || ReadOnlyConnectionEviction.refusedAsReadOnly(t));
                // Roll back before anything else touches the connection: restoring auto-commit on an
                // open transaction would commit it.
                rollbackQuietly(c);
                try {
                    c.setAutoCommit(true);
                } catch (SQLException e) {
                    // sqlite-jdbc commits to leave a transaction; after a failed commit there is none,
                    // and that complaint must not hide why the commit failed.
                    t.addSuppressed(e);
                }
                throw t;
            }
        }
    }

    static boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        return "40P01".equals(state) || "40001".equals(state);
    }

    /**
     * Runs one piece; its answer once committed, or empty when it failed (its refusal is added to
     * {@code failures}). Under a savepoint ({@code isolated}) a failed piece has undone itself;
     * otherwise the caller rolls back and runs the others again.
     */
    private static <T> Optional<Runnable> runOne(Connection c, Pending<T> p, DeferredUpdates batchUpdates,
            List<Runnable> failures, boolean isolated, java.util.concurrent.atomic.AtomicBoolean readOnly)
            throws SQLException {
        DeferredUpdates pieceUpdates = new DeferredUpdates();
        Savepoint savepoint = isolated ? c.setSavepoint() : null;
        try {
            T value = KeptStatements.keptFor(c, conn -> DeferredUpdates.collecting(pieceUpdates, p.work(), conn));
            if (savepoint != null) {
                c.releaseSavepoint(savepoint);
            }
            batchUpdates.addAll(pieceUpdates);
            return Optional.of(() -> p.result().complete(value));
        } catch (SQLException e) {
            if (isTransient(e)) {
                throw e; // retried with the whole batch
            }
            if (ReadOnlyConnectionEviction.refusedAsReadOnly(e)) {
                readOnly.set(true);
            }
            undo(c, savepoint);
            failures.add(() -> p.result().completeExceptionally(e));
            return Optional.empty();
        } catch (RuntimeException e) {
            if (ReadOnlyConnectionEviction.refusedAsReadOnly(e)) {
                readOnly.set(true);
            }
            undo(c, savepoint);
            failures.add(() -> p.result().completeExceptionally(e));
            return Optional.empty();
        }
        // An Error is not caught here: it fails the whole batch, which commitOnce() rolls back.
    }

    /** Undoes a failed piece run under a savepoint (PostgreSQL also needs it to go on after an error). */
    private static void undo(Connection c, Savepoint savepoint) throws SQLException {
        if (savepoint != null) {
            c.rollback(savepoint);
        }
    }

    /**
     * A SQLite connection opened while the files were unwritable stays read-only for its whole life:
     * once it refused a write, the pool drops it when it comes back, and the next one opens read-write
     * as soon as the files allow (see {@link ReadOnlyConnectionEviction}).
     */
    private void evictIfReadOnly(Connection c, boolean refused) {
        if (refused && dataSource instanceof com.zaxxer.hikari.HikariDataSource pool) {
            pool.evictConnection(c);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // Usually SQLite saying it already rolled back after a failed commit: no trace needed.
            log.warn("rollback failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            for (Thread t : threads) {
                t.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
