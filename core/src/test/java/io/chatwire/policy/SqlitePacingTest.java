package io.chatwire.policy;

import io.chatwire.store.Database;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The pacing contract on a real SQLite file. */
class SqlitePacingTest extends PacingContract {
    @TempDir
    Path dir;

    @Override
    protected Database openDatabase() {
        return Database.open("jdbc:sqlite:" + dir.resolve("t.db"), "");
    }
}
