package io.chatwire.delivery;

import io.chatwire.store.Database;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The delivery store contract on a real SQLite file. */
class SqliteDeliveryStoreTest extends DeliveryStoreContract {
    @TempDir
    Path dir;

    @Override
    protected Database openDatabase() {
        return Database.open("jdbc:sqlite:" + dir.resolve("t.db"), "");
    }
}
