package io.chatwire.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GroupCommitWriterTest {
    @TempDir
    Path dir;

    private Database db;

    @BeforeEach
    void open() {
        db = Database.open("jdbc:sqlite:" + dir.resolve("t.db"), "");
        db.write(c -> Jdbc.update(c, "CREATE TABLE scratch (name TEXT PRIMARY KEY)"));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static SqlWork<Integer> insert(String name) {
        return c -> Jdbc.update(c, "INSERT INTO scratch (name) VALUES (?)", name);
    }

    private List<String> names() {
        return db.read(c -> Jdbc.query(c, "SELECT name FROM scratch ORDER BY name", rs -> rs.getString(1)));
    }

    /**
     * Holds the writer thread inside a piece of work until released, so that pieces submitted
     * meanwhile queue up and are committed together in the next batch.
     */
    private final class Gate implements AutoCloseable {
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private final Thread holder;

        Gate() throws InterruptedException {
            holder = Thread.ofVirtual().start(() -> db.write(c -> {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        }

        /** Lets the held work finish and waits until it has: the queued pieces then go as one batch. */
        void open() throws InterruptedException {
            release.countDown();
            holder.join();
        }

        /** Lets the held work finish, should the test fail before opening the gate. */
        @Override
        public void close() {
            release.countDown();
        }
    }

    /** Starts each piece on a virtual thread and waits until all of them are queued for the writer. */
    private List<Future<Object>> submitAndAwaitQueued(ExecutorService threads, List<Callable<Object>> pieces) {
        List<Future<Object>> futures = pieces.stream().map(threads::submit).toList();
        await().atMost(Duration.ofSeconds(10)).until(() -> queued() == pieces.size());
        return futures;
    }

    /** How many pieces wait for the writer thread (read from its private queue). */
    private int queued() throws ReflectiveOperationException {
        Field writerField = Database.class.getDeclaredField("writer");
        writerField.setAccessible(true);
        Field queueField = GroupCommitWriter.class.getDeclaredField("queue");
        queueField.setAccessible(true);
        return ((Collection<?>) queueField.get(writerField.get(db))).size();
    }

    @Test
    void twoHundredConcurrentWritersAllCommit() throws Exception {
        List<String> expected = IntStream.range(0, 200).mapToObj(i -> "row-%03d".formatted(i)).toList();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = expected.stream()
                    .map(name -> threads.submit(() -> db.write(insert(name))))
                    .toList();
            for (Future<Integer> r : results) {
                assertThat(r.get()).isEqualTo(1);
            }
        }
        assertThat(names()).containsExactlyElementsOf(expected);
    }

    @Test
    void queuedWritersShareOneTransaction() throws Exception {
        Set<String> transactions = ConcurrentHashMap.newKeySet();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor(); Gate gate = new Gate()) {
            List<Callable<Object>> pieces = IntStream.range(0, 20)
                    .<Callable<Object>>mapToObj(i -> () -> db.write(c -> {
                        transactions.add(System.identityHashCode(c.unwrap(Connection.class)) + ":" + c.getAutoCommit());
                        return insert("p" + i).run(c);
                    }))
                    .toList();
            List<Future<Object>> futures = submitAndAwaitQueued(threads, pieces);
            gate.open();
            for (Future<Object> f : futures) {
                assertThat(f.get()).isEqualTo(1);
            }
        }
        assertThat(names()).hasSize(20);
        // One connection with auto-commit off, i.e. one transaction, carried all twenty pieces.
        assertThat(transactions).hasSize(1).allMatch(t -> t.endsWith(":false"));
    }

    @Test
    void aPieceThatThrowsIsRolledBackAloneWhileItsBatchCommits() throws Exception {
        List<Future<Object>> futures;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor(); Gate gate = new Gate()) {
            List<Callable<Object>> pieces = new ArrayList<>();
            pieces.add(() -> db.write(insert("before")));
            pieces.add(() -> db.write(c -> {
                insert("doomed-1").run(c);
                insert("doomed-2").run(c);
                throw new IllegalStateException("limit reached");
            }));
            pieces.add(() -> db.write(insert("after")));
            futures = submitAndAwaitQueued(threads, pieces);
            gate.open();

            assertThat(futures.get(0).get()).isEqualTo(1);
            assertThat(futures.get(2).get()).isEqualTo(1);
            assertThatThrownBy(() -> futures.get(1).get())
                    .cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("limit reached");
        }
        assertThat(names()).containsExactly("after", "before");
    }

    @Test
    void theWritersStatementsArePreparedOnceAndKeptFromOneCommitToTheNext() {
        String sql = "INSERT INTO scratch (name) VALUES (?)";
        java.sql.PreparedStatement first = db.write(c -> KeptStatements.of(c, sql).orElseThrow());
        db.write(insert("one"));
        db.write(insert("two"));

        java.sql.PreparedStatement later = db.write(c -> KeptStatements.of(c, sql).orElseThrow());

        assertThat(later).isSameAs(first);
        assertThat(names()).containsExactly("one", "two");
        Optional<java.sql.PreparedStatement> onARead = db.read(c -> KeptStatements.of(c, sql));
        assertThat(onARead).as("reads prepare their own").isEmpty();
    }

    @Test
    void aKeptStatementThatFailedIsPreparedAnewAndTheNextWriteWorks() {
        String sql = "INSERT INTO scratch (name) VALUES (?)";
        java.sql.PreparedStatement first = db.write(c -> KeptStatements.of(c, sql).orElseThrow());
        db.write(insert("one"));
        assertThatThrownBy(() -> db.write(insert("one"))).isInstanceOf(StoreUnavailableException.class);

        db.write(insert("two"));

        java.sql.PreparedStatement anew = db.write(c -> KeptStatements.of(c, sql).orElseThrow());
        assertThat(anew).isNotSameAs(first);
        assertThat(names()).containsExactly("one", "two");
    }

    @Test
    void aRuntimeExceptionReachesTheCallerAsIsAndNothingOfItsWorkIsKept() {
        IllegalStateException refusal = new IllegalStateException("limit reached");

        assertThatThrownBy(() -> db.write(c -> {
            insert("alone").run(c);
            throw refusal;
        })).isSameAs(refusal);
        assertThat(names()).isEmpty();
    }

    @Test
    void anSqlExceptionSurfacesAsStoreUnavailableAndItsRowsAreAbsent() {
        assertThatThrownBy(() -> db.write(c -> {
            insert("half-done").run(c);
            return Jdbc.update(c, "INSERT INTO no_such_table (x) VALUES (1)");
        }))
                .isInstanceOf(StoreUnavailableException.class)
                .hasCauseInstanceOf(SQLException.class)
                .hasMessageContaining("no_such_table");
        assertThat(names()).isEmpty();
        // The writer goes on working afterwards.
        db.write(insert("next"));
        assertThat(names()).containsExactly("next");
    }

    @Test
    void anSqlExceptionInABatchRollsBackOnlyItsOwnPiece() throws Exception {
        List<Future<Object>> futures;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor(); Gate gate = new Gate()) {
            List<Callable<Object>> pieces = new ArrayList<>();
            pieces.add(() -> db.write(insert("one")));
            // A duplicate primary key: a constraint failure inside the shared transaction.
            pieces.add(() -> db.write(c -> insert("dup").run(c) + insert("dup").run(c)));
            pieces.add(() -> db.write(insert("two")));
            futures = submitAndAwaitQueued(threads, pieces);
            gate.open();

            assertThat(futures.get(0).get()).isEqualTo(1);
            assertThat(futures.get(2).get()).isEqualTo(1);
            assertThatThrownBy(() -> futures.get(1).get()).cause().isInstanceOf(StoreUnavailableException.class);
        }
        assertThat(names()).containsExactly("one", "two");
    }

    @Test
    void aPieceThatThrowsAnErrorHasNothingOfItsWorkCommitted() {
        assertThatThrownBy(() -> db.write(c -> {
            insert("errored").run(c);
            throw new AssertionError("boom");
        })).isInstanceOf(AssertionError.class);
        assertThat(names()).isEmpty();
    }

    @Test
    void theJournalIsWriteAheadLogging() {
        String mode = db.read(c -> Jdbc.queryOne(c, "PRAGMA journal_mode", rs -> rs.getString(1)).orElseThrow());
        assertThat(mode).isEqualToIgnoringCase("wal");
    }

    @Test
    void commitsAreFullySynchronous() {
        int synchronous = db.read(c -> Jdbc.queryOne(c, "PRAGMA synchronous", rs -> rs.getInt(1)).orElseThrow());
        assertThat(synchronous).as("2 = FULL").isEqualTo(2);
    }

    @Test
    void aWriteAfterCloseIsRefusedAsUnavailable() {
        db.close();
        assertThatThrownBy(() -> db.write(insert("late"))).isInstanceOf(StoreUnavailableException.class);
    }
}
