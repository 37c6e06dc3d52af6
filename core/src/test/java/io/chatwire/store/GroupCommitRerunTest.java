package io.chatwire.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chatwire.testing.TestDatabases;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

/**
 * A tenant can make its own writes fail at will (a 404 or 409 decided inside the transaction). Such a
 * failure makes the writer undo the shared batch and run it again without that piece; this checks that
 * however many pieces of one batch fail, the other pieces run at most twice, on both databases (the
 * second run isolates pieces with savepoints, which PostgreSQL also needs to go on after an error).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupCommitRerunTest {
    @TempDir
    Path dir;

    private String pgSchema;
    private GroupCommitWriter writer;

    @AfterEach
    void close() {
        if (writer != null) {
            writer.close();
        }
        if (pgSchema != null) {
            TestDatabases.dropSchema(pgSchema);
        }
    }

    private DataSource open(String database) throws SQLException {
        DataSource ds;
        if (database.equals("postgresql")) {
            pgSchema = TestDatabases.newSchema();
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setURL(TestDatabases.POSTGRES_URL);
            pg.setCurrentSchema(pgSchema);
            ds = pg;
        } else {
            SQLiteDataSource sqlite = new SQLiteDataSource();
            sqlite.setUrl("jdbc:sqlite:" + dir.resolve("t.db"));
            ds = sqlite;
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            if (pgSchema != null) {
                s.execute("CREATE SCHEMA \"" + pgSchema + "\"");
                s.execute("SET search_path TO \"" + pgSchema + "\"");
            }
            s.execute("CREATE TABLE scratch (name TEXT PRIMARY KEY)");
            s.execute("INSERT INTO scratch (name) VALUES ('taken')");
        }
        return ds;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void failingPiecesMakeTheOthersOfTheirBatchRunAtMostTwice(String database) throws Exception {
        DataSource ds = open(database);
        // One writer thread: everything queued behind the gate is one batch.
        writer = new GroupCommitWriter(ds, 256, 1);
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        List<String> good = new ArrayList<>();
        List<Future<Object>> goodResults = new ArrayList<>();
        List<Future<Object>> failedResults = new ArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Object> gate = threads.submit(() -> writer.write(c -> {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            // Each piece is queued before the next is submitted, so that good pieces sit between the
            // failing ones in a known order (submitted together, their threads would race for the queue).
            for (int i = 0; i < 6; i++) {
                String name = "good-" + i;
                good.add(name);
                goodResults.add(threads.submit(() -> writer.write(counted(runs, name, c -> insert(c, name)))));
                awaitQueued(3 * i + 1);
                String refused = "refused-" + i;
                failedResults.add(threads.submit(() -> writer.write(counted(runs, refused, c -> {
                    insert(c, refused);
                    throw new IllegalStateException("refused inside the transaction");
                }))));
                awaitQueued(3 * i + 2);
                String duplicate = "duplicate-" + i;
                failedResults.add(threads.submit(() -> writer.write(counted(runs, duplicate, c -> {
                    insert(c, duplicate);
                    return insert(c, "taken"); // a constraint failure: on PostgreSQL it aborts the transaction
                }))));
                awaitQueued(3 * i + 3);
            }
            release.countDown();
            gate.get();
            for (Future<Object> r : goodResults) {
                assertThat(r.get()).isEqualTo(1);
            }
            for (Future<Object> r : failedResults) {
                assertThatThrownBy(r::get).isInstanceOf(ExecutionException.class);
            }
        }
        assertThat(runs).allSatisfy((name, count) -> assertThat(count.get()).as(name + " ran").isLessThanOrEqualTo(2));
        assertThat(runs.get("good-0").get()).as("the first piece ran again once, after the first failure").isEqualTo(2);
        List<String> rows = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT name FROM scratch ORDER BY name")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        List<String> expected = new ArrayList<>(good);
        expected.add("taken");
        assertThat(rows).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static int insert(Connection c, String name) throws SQLException {
        return Jdbc.update(c, "INSERT INTO scratch (name) VALUES (?)", name);
    }

    private static SqlWork<Object> counted(Map<String, AtomicInteger> runs, String name, SqlWork<Object> work) {
        return c -> {
            runs.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
            return work.run(c);
        };
    }

    private void awaitQueued(int pieces) {
        await().atMost(Duration.ofSeconds(10)).until(() -> queue().size() == pieces);
    }

    private Collection<?> queue() throws ReflectiveOperationException {
        Field queue = GroupCommitWriter.class.getDeclaredField("queue");
        queue.setAccessible(true);
        return (Collection<?>) queue.get(writer);
    }
}
