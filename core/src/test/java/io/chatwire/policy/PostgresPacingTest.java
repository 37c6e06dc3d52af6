package io.chatwire.policy;

import io.chatwire.store.Database;
import io.chatwire.store.PostgresSchema;
import org.junit.jupiter.api.AfterEach;

/** The pacing contract on the PostgreSQL server, in a schema of its own per test. */
class PostgresPacingTest extends PacingContract {
    private PostgresSchema schema;

    @Override
    protected Database openDatabase() {
        schema = new PostgresSchema();
        return schema.db();
    }

    /** Runs before the contract's own tear-down, which then finds the database closed already. */
    @AfterEach
    void dropSchema() {
        schema.close();
    }
}
