package io.chatwire.store;

import io.chatwire.files.PrivateFiles;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares a SQLite database's files before SQLite opens them, and the URL it opens them with.
 *
 * <p><b>Only the owner may read them.</b> The database holds every chat. SQLite creates a new
 * database 0644 (less the umask) and its {@code -wal} and {@code -shm} with the database file's mode,
 * so the database file is created here first, 0600, and an existing one (and its companions) loses
 * whatever group and others had. A directory made here is 0700; an existing one others may enter is
 * reported, not changed: it is the operator's, and may be shared on purpose (a backup agent's group).
 *
 * <p><b>No memory-mapped WAL index.</b> In WAL mode SQLite keeps the WAL index in the {@code -shm}
 * file, mapped shared and writable into every process that opens the database, and stores into that
 * mapping on every commit. When the file system refuses such a store, the kernel answers with SIGBUS,
 * and in native code that ends the JVM: on ext4, an immutable file ({@code chattr +i}) refuses it
 * once its dirty pages have been written back (see docs/security.md for the evidence). The
 * {@code unix-excl} VFS keeps the WAL index in the process's heap instead, so such a file becomes a
 * failed {@code write()}, an error SQLite reports and Chatwire answers with 503. The price: the
 * process holds an exclusive lock on the database, so no other process (the {@code sqlite3} shell, a
 * second Chatwire) can open it while Chatwire runs. One Chatwire process per SQLite file is all that
 * was ever supported; clusters use PostgreSQL.
 */
final class SqliteFiles {
    private static final Logger log = LoggerFactory.getLogger(SqliteFiles.class);
    private static final String PREFIX = "jdbc:sqlite:";
    private static final List<String> COMPANIONS = List.of("-wal", "-shm", "-journal");
    /** The VFS with the WAL index in heap memory; every Unix build of SQLite has it. */
    private static final String HEAP_WAL_INDEX = "vfs=unix-excl";

    private SqliteFiles() {
    }

    /** Prepares the database's directory and files, and returns the JDBC URL to open it with. */
    static String prepare(String jdbcUrl) {
        String rest = jdbcUrl.substring(PREFIX.length());
        if (rest.isBlank() || rest.startsWith(":")) {
            return jdbcUrl; // in memory (or a resource): no files
        }
        if (rest.startsWith("file:")) {
            // A SQLite URI the operator wrote: theirs to get right, but without a mapped WAL index.
            return rest.contains("vfs=") || !unix() ? jdbcUrl
                    : jdbcUrl + (rest.contains("?") ? "&" : "?") + HEAP_WAL_INDEX;
        }
        int q = rest.indexOf('?');
        Path file = Path.of(q < 0 ? rest : rest.substring(0, q)).toAbsolutePath();
        String query = q < 0 ? "" : rest.substring(q + 1);
        prepareFiles(file);
        if (!unix()) {
            return jdbcUrl;
        }
        return PREFIX + "file:" + file.toUri().getRawPath() + "?" + (query.isEmpty() ? "" : query + "&")
                + HEAP_WAL_INDEX;
    }

    private static void prepareFiles(Path file) {
        Path dir = file.getParent();
        try {
            if (Files.isDirectory(dir)) {
                PrivateFiles.openToOthers(dir).ifPresent(mode -> log.warn(
                        "the database directory {} is open to other users ({}); the database holds every chat:"
                                + " chmod 700 {}", dir, mode, dir));
            } else {
                PrivateFiles.createDirectories(dir);
            }
            PrivateFiles.createFile(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the database " + file + ": " + e.getMessage(), e);
        }
        for (Path f : Stream.concat(Stream.of(file), COMPANIONS.stream().map(s -> sibling(file, s))).toList()) {
            try {
                if (PrivateFiles.restrictToOwner(f)) {
                    log.info("made {} readable by its owner only", f);
                }
            } catch (IOException e) {
                log.warn("{} is open to other users and could not be made private ({}): chmod 600 it", f,
                        e.getMessage());
            }
        }
    }

    private static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    private static boolean unix() {
        return File.separatorChar == '/';
    }
}
