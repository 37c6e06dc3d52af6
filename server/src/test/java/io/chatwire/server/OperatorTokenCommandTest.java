package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.testing.ApiClient;
import io.chatwire.testing.RunningChatwire;
import io.chatwire.testing.ServerProcess;
import io.chatwire.testing.TestDatabases;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code chatwire new-operator-token}: the way back to an operator token not noted at the first start.
 * The command runs in this JVM through picocli, with the settings a server on the same data would have.
 */
class OperatorTokenCommandTest {
    private static final Pattern TOKEN = Pattern.compile("cwop_[A-Za-z0-9]{43}");

    @TempDir
    Path emptyDir;

    private record Run(int exitCode, String out, String err) {
        String token() {
            Matcher m = TOKEN.matcher(out);
            assertThat(m.find()).as("a token in: " + out + err).isTrue();
            return m.group();
        }
    }

    private static Run newOperatorToken(Map<String, String> env) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Main(env))
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute("new-operator-token");
        return new Run(code, out.toString(), err.toString());
    }

    /** The settings of a server on the same database as {@code chatwire} (its SQLite file or PostgreSQL schema). */
    private static Map<String, String> sameDatabase(RunningChatwire chatwire) {
        Map<String, String> env = new HashMap<>();
        env.put("CHATWIRE_DATA_DIR", chatwire.dataDir().toString());
        chatwire.pgSchema().ifPresent(schema -> {
            env.put("CHATWIRE_DB_URL", TestDatabases.POSTGRES_URL);
            env.put("CHATWIRE_DB_SCHEMA", schema);
        });
        return env;
    }

    private static int statusWith(RunningChatwire chatwire, String token) {
        return new ApiClient(chatwire.baseUrl(), token).get("/v1/accounts").status();
    }

    /** A server process holds its SQLite file exclusively: the command says what to do instead of hanging on. */
    @Test
    void onSqliteHeldByARunningServerProcessItSaysToStopTheServerFirst() {
        try (ServerProcess server = ServerProcess.start(emptyDir, ServerProcess.freePort(), "held")) {
            Run run = newOperatorToken(Map.of("CHATWIRE_DATA_DIR", emptyDir.toString()));

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains("stop the server, run this command again");
            assertThat(run.out()).doesNotContain("cwop_");
            assertThat(server.operator().get("/v1/accounts").status()).as("the old token still works").isEqualTo(200);
        }
    }

    @Test
    void theNewTokenWorksAtOnceOnTheRunningServerAndTheOldOneIsRefused() {
        try (RunningChatwire chatwire = RunningChatwire.start(Map.of("CHATWIRE_ADMIN_TOKEN", ""))) {
            String old = chatwire.firstOperatorToken().orElseThrow();
            assertThat(statusWith(chatwire, old)).isEqualTo(200);

            Run run = newOperatorToken(sameDatabase(chatwire));

            assertThat(run.exitCode()).as(run.err()).isZero();
            // PostgreSQL serves any number of processes; a SQLite server in another process would hold
            // the file exclusively (the test above), so there the output says to start the server.
            assertThat(run.out()).contains("shown once")
                    .contains(chatwire.pgSchema().isPresent() ? "no restart is needed" : "Start the server");
            assertThat(run.token()).isNotEqualTo(old);
            assertThat(statusWith(chatwire, run.token())).isEqualTo(200);
            assertThat(statusWith(chatwire, old)).isEqualTo(401);
        }
    }

    @Test
    void aServerStartedAfterwardsOnTheSameDataTakesTheNewTokenAndPrintsNoneOfItsOwn() {
        try (RunningChatwire first = RunningChatwire.start(Map.of("CHATWIRE_ADMIN_TOKEN", ""))) {
            String old = first.firstOperatorToken().orElseThrow();
            first.stopKeepingData();
            Map<String, String> sameData = sameDatabase(first);

            Run run = newOperatorToken(sameData);

            assertThat(run.exitCode()).as(run.err()).isZero();
            sameData.put("CHATWIRE_ADMIN_TOKEN", "");
            try (RunningChatwire second = RunningChatwire.start(sameData)) {
                assertThat(second.firstOperatorToken()).isEmpty();
                assertThat(statusWith(second, run.token())).isEqualTo(200);
                assertThat(statusWith(second, old)).isEqualTo(401);
            }
        }
    }

    @Test
    void anAdminTokenFromTheSettingsIsTheOneToUseAndNoTokenIsIssued() {
        try (RunningChatwire chatwire = RunningChatwire.start(Map.of("CHATWIRE_ADMIN_TOKEN", ""))) {
            String stored = chatwire.firstOperatorToken().orElseThrow();
            Map<String, String> env = sameDatabase(chatwire);
            env.put("CHATWIRE_ADMIN_TOKEN", RunningChatwire.ADMIN_TOKEN);

            Run run = newOperatorToken(env);

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.out()).doesNotContainPattern(TOKEN);
            assertThat(run.err()).contains("CHATWIRE_ADMIN_TOKEN is set").contains("No new token was issued");
            assertThat(statusWith(chatwire, stored)).as("the stored token is left as it was").isEqualTo(200);
        }
    }

    @Test
    void aDataDirectoryWithoutADatabaseIsRefusedAndLeftEmpty() throws Exception {
        Run run = newOperatorToken(Map.of("CHATWIRE_DATA_DIR", emptyDir.toString()));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("no database at " + emptyDir.resolve("chatwire.db").toAbsolutePath())
                .contains("CHATWIRE_DATA_DIR");
        try (var files = Files.list(emptyDir)) {
            assertThat(files).isEmpty();
        }
    }
}
