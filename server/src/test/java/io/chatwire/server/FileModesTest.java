package io.chatwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatwire.testing.CapturedLogs;
import io.chatwire.testing.RunningChatwire;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite database holds every chat: its files are the owner's only (0600), whatever the umask
 * (this JVM's is the usual 022), and so is a data directory Chatwire creates (0700). An existing
 * directory that others can enter is the operator's to change: it is reported at start, not changed.
 */
class FileModesTest {
    @TempDir
    Path parent;

    @Test
    void createsAMissingDataDirectoryOwnerOnly() throws IOException {
        Path dataDir = parent.resolve("data");
        try (RunningChatwire _ = start(dataDir)) {
            assertThat(mode(dataDir)).isEqualTo("rwx------");
        }
    }

    @Test
    void createsTheDatabaseAndItsWalOwnerOnly() throws IOException {
        Path dataDir = parent.resolve("data");
        try (RunningChatwire chatwire = start(dataDir)) {
            chatwire.createAccount("standard"); // a commit, so the WAL exists
            assertThat(dataDir.resolve("chatwire.db")).exists();
            assertThat(dataDir.resolve("chatwire.db-wal")).exists();
            assertThat(databaseFiles(dataDir)).as("chatwire.db, -wal and any -shm or -journal")
                    .allSatisfy(f -> assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------"));
        }
    }

    @Test
    void tightensDatabaseFilesThatOthersCouldRead() throws IOException {
        Path dataDir = parent.resolve("data");
        RunningChatwire first = start(dataDir);
        first.createAccount("standard");
        first.stopKeepingData();
        first.close();
        for (Path f : databaseFiles(dataDir)) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
        assertThat(databaseFiles(dataDir)).isNotEmpty();

        try (RunningChatwire second = start(dataDir)) {
            second.createAccount("standard");
            assertThat(databaseFiles(dataDir))
                    .allSatisfy(f -> assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------"));
        }
    }

    @Test
    void warnsAtStartWhenTheDataDirectoryIsOpenToOthersAndLeavesItAsItIs() throws IOException {
        Path dataDir = Files.createDirectory(parent.resolve("shared"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (CapturedLogs logs = new CapturedLogs(); RunningChatwire _ = start(dataDir)) {
            assertThat(logs.warnings()).as("warnings at start")
                    .anySatisfy(w -> assertThat(w).contains(dataDir.toString()).contains("chmod 700"));
            assertThat(mode(dataDir)).isEqualTo("rwxr-xr-x");
        }
    }

    /** A server on SQLite in {@code dataDir}, in both runs of the suite. */
    private static RunningChatwire start(Path dataDir) {
        return RunningChatwire.start(Map.of(
                "CHATWIRE_DATA_DIR", dataDir.toString(),
                "CHATWIRE_DB_URL", "jdbc:sqlite:" + dataDir.resolve("chatwire.db"),
                "CHATWIRE_DB_SCHEMA", ""));
    }

    private static List<Path> databaseFiles(Path dataDir) throws IOException {
        try (Stream<Path> files = Files.list(dataDir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("chatwire.db")).sorted().toList();
        }
    }

    private static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
