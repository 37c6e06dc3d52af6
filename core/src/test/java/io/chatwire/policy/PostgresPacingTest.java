package io.chatwire.policy;

import io.chatwire.store.Database;
import io.chatwire.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;

/** The pacing contract on the PostgreSQL server, in a schema of its own per test. */
class PostgresPacingTest extends PacingContract {
    private String schema;
    private Database db;

    @Override
    protected Database openDatabase() {
        schema = TestDatabases.newSchema();
        db = Database.open(TestDatabases.POSTGRES_URL, schema);
        return db;
    }

    /**
     * Runs before the contract's own tear-down: the pool is closed first, or a connection it opens to
     * refill itself would create the schema again (its init SQL) right after the drop.
     */
    @AfterEach
    void dropSchema() {
        db.close();
        TestDatabases.dropSchema(schema);
    }
}
