package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.ServerProcess;
import io.chatwire.testing.TestReceiver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite files of a running server become unwritable ({@code chattr +i}: immutable, which also
 * holds for root and for files already open) and writable again. The server runs as a process of its
 * own, because the failure this guards against was the JVM dying of SIGBUS in SQLite's native code:
 * readiness and ingest must answer 503 meanwhile, the process must live, and once the files are
 * writable again it is ready by itself and every event it answered 202 for is delivered.
 *
 * <p>Needs root (or CAP_LINUX_IMMUTABLE) and a file system with the immutable attribute (ext4, xfs,
 * btrfs), as CI has.
 */
@Timeout(120)
class UnwritableDatabaseTest {
    @TempDir
    Path dataDir;

    private ServerProcess server;
    private TestReceiver receiver;
    private final List<Path> immutable = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        if (!immutable.isEmpty()) {
            chattr("-i", immutable); // or the temporary directory could not be deleted
        }
        if (server != null) {
            server.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void answers503WhileTheDatabaseFilesAreImmutableAndDeliversEveryAcceptedEventOnceTheyAreWritable()
            throws Exception {
        receiver = TestReceiver.start();
        server = ServerProcess.start(dataDir, ServerProcess.freePort(), "unwritable");
        ServerProcess.Account account = server.createAccount("standard");
        String delivered = server.createChatbot(account);
        server.createEndpoint(account, delivered, receiver.url().toString());
        String storedOnly = server.createChatbot(account); // no endpoint: its events are a commit each, nothing more
        ApiClient operator = server.operator();

        Set<String> accepted = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            accepted.add(accept(operator, delivered, "before-" + i));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveredIds().containsAll(accepted));
        int commits = bringTheWalIndexToAFullCheckpoint(operator, storedOnly);

        // Immutable from here; sync writes back the dirty pages of every mapping of these files, after
        // which the next store into such a mapping needs the file system's consent (and ext4 refuses
        // it for an immutable file with SIGBUS).
        try (Stream<Path> files = Files.list(dataDir)) {
            files.filter(f -> f.getFileName().toString().startsWith("chatwire.db")).forEach(immutable::add);
        }
        chattr("+i", immutable);
        run(List.of("sync"));
        System.out.printf("unwritable: %d commits before; immutable: %s%n", commits,
                immutable.stream().map(p -> p.getFileName().toString()).toList());

        List<String> refusedQuestions = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String question = "while-immutable-" + i;
            ApiClient.Response r = postToALiveServer(operator, delivered, question);
            assertThat(r.status()).as("ingest while the files are immutable: " + r.raw()).isEqualTo(503);
            assertThat(r.text("error")).as(r.raw()).isEqualTo("unavailable");
            refusedQuestions.add(question);
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            ApiClient.Response ready = operator.as(null).get("/readyz");
            assertThat(ready.status()).as("readiness while the files are immutable: " + ready.raw()).isEqualTo(503);
            assertThat(ready.text("status")).as(ready.raw()).isEqualTo("not_ready");
            assertThat(ready.text("reason")).as(ready.raw()).isNotBlank();
        });
        // The scheduler keeps claiming meanwhile; give it a few rounds to meet the immutable files too.
        Thread.sleep(3_000);
        assertThat(server.isAlive()).as("the server process while its files are immutable; its output:\n"
                + server.outputTail(40)).isTrue();
        assertThat(operator.as(null).get("/healthz").status()).as("liveness").isEqualTo(200);

        chattr("-i", immutable);
        immutable.clear();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            ApiClient.Response ready = operator.as(null).get("/readyz");
            assertThat(ready.status()).as(ready.raw()).isEqualTo(200);
            assertThat(ready.text("status")).as(ready.raw()).isEqualTo("ready");
        });
        for (int i = 0; i < 5; i++) {
            String question = "after-" + i;
            String id = await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
                ApiClient.Response r = post(operator, delivered, question);
                assertThat(r.status()).as(r.raw()).isIn(202, 503);
                return r.status() == 202 ? r.text("id") : null;
            }, java.util.Objects::nonNull);
            accepted.add(id);
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(deliveredIds()).as("delivered event ids").containsAll(accepted));
        String bodies = receiver.received().stream().map(TestReceiver.Received::bodyText)
                .collect(Collectors.joining("\n"));
        refusedQuestions.forEach(q -> assertThat(bodies).as("an event refused with 503 was delivered")
                .doesNotContain("\"" + q + "\""));
        assertThat(server.isAlive()).isTrue();
        assertThat(server.outputTail(400)).as("the server's output").doesNotContain("SIGBUS");
    }

    /**
     * The database files are immutable before the server starts, so SQLite opens every connection
     * read-only (it does so silently): the server starts, reads work, writes are refused. Once the files
     * are writable again it must become ready by itself, without a restart.
     */
    @Test
    void aServerStartedOnImmutableDatabaseFilesIsNotReadyAndRecoversOnceTheyAreWritable() throws Exception {
        receiver = TestReceiver.start();
        int port = ServerProcess.freePort();
        server = ServerProcess.start(dataDir, port, "read-only-start");
        ServerProcess.Account account = server.createAccount("standard");
        String chatbot = server.createChatbot(account);
        server.createEndpoint(account, chatbot, receiver.url().toString());
        Set<String> accepted = new HashSet<>(Set.of(accept(server.operator(), chatbot, "first-run")));
        server.kill();
        try (Stream<Path> files = Files.list(dataDir)) {
            files.filter(f -> f.getFileName().toString().startsWith("chatwire.db")).forEach(immutable::add);
        }
        chattr("+i", immutable);

        server = ServerProcess.start(dataDir, port, "read-only-start");
        ApiClient operator = server.operator();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            ApiClient.Response ready = operator.as(null).get("/readyz");
            assertThat(ready.status()).as("readiness on immutable files: " + ready.raw()).isEqualTo(503);
            assertThat(ready.text("status")).as(ready.raw()).isEqualTo("not_ready");
        });
        ApiClient.Response refused = post(operator, chatbot, "refused");
        assertThat(refused.status()).as(refused.raw()).isEqualTo(503);
        assertThat(account.api().get("/v1/events").status()).as("reads still work").isEqualTo(200);

        chattr("-i", immutable);
        immutable.clear();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            ApiClient.Response ready = operator.as(null).get("/readyz");
            assertThat(ready.status()).as(() -> "readiness once the files are writable: " + ready.raw()
                    + "; the server's output:\n" + server.outputTail(40)).isEqualTo(200);
        });
        for (int i = 0; i < 3; i++) {
            String question = "writable-again-" + i;
            accepted.add(await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
                ApiClient.Response r = post(operator, chatbot, question);
                assertThat(r.status()).as(r.raw()).isIn(202, 503);
                return r.status() == 202 ? r.text("id") : null;
            }, java.util.Objects::nonNull));
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(deliveredIds()).as("delivered event ids").containsAll(accepted));
    }

    /**
     * While SQLite keeps its WAL index in the memory-mapped {@code -shm} file, posts events until a
     * checkpoint has copied the whole WAL back (the WAL index says {@code nBackfill == mxFrame}): the
     * next commit then first rewrites the WAL index header, a store into the mapping. Without such a
     * file there is no mapping to store into and nothing to wait for. Returns the events posted.
     */
    private int bringTheWalIndexToAFullCheckpoint(ApiClient operator, String chatbot) throws IOException {
        Path shm = dataDir.resolve("chatwire.db-shm");
        int posted = 0;
        while (Files.exists(shm) && !fullyCheckpointed(shm)) {
            assertThat(posted).as("events posted without a full checkpoint").isLessThan(5_000);
            accept(operator, chatbot, "filler-" + posted++);
        }
        return posted;
    }

    /** Reads SQLite's WAL index (see walIndexHdr and WalCkptInfo in SQLite's wal.c; native byte order). */
    private static boolean fullyCheckpointed(Path shm) throws IOException {
        byte[] head = Files.readAllBytes(shm);
        if (head.length < 100) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.nativeOrder());
        int mxFrame = b.getInt(16);
        int nBackfill = b.getInt(96);
        return mxFrame > 0 && nBackfill == mxFrame;
    }

    private static String accept(ApiClient operator, String chatbot, String question) {
        ApiClient.Response r = post(operator, chatbot, question);
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        return r.text("id");
    }

    private static ApiClient.Response post(ApiClient operator, String chatbot, String question) {
        return operator.post("/v1/events", RunningChatwire.chatEvent(chatbot, question), "Idempotency-Key", question);
    }

    /** A post, failing with the server's last words when the server died under it. */
    private ApiClient.Response postToALiveServer(ApiClient operator, String chatbot, String question)
            throws InterruptedException {
        try {
            return post(operator, chatbot, question);
        } catch (IllegalStateException noAnswer) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (server.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100); // a dying JVM takes a moment to write its crash report
            }
            assertThat(server.isAlive()).as("the server process; its output:\n" + server.outputTail(30)).isTrue();
            throw noAnswer;
        }
    }

    private Set<String> deliveredIds() {
        return receiver.received().stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet());
    }

    private static void chattr(String flag, List<Path> files) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("chattr", flag));
        files.forEach(f -> argv.add(f.toString()));
        run(argv);
    }

    private static void run(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", argv) + " (the test needs root, or CAP_LINUX_IMMUTABLE, on a"
                + " file system with the immutable attribute): " + output).isZero();
    }
}
