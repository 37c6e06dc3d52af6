package io.chatwire.delivery;

import io.chatwire.store.Database;
import io.chatwire.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;

/** The delivery store contract on the PostgreSQL server, in a schema of its own per test. */
class PostgresDeliveryStoreTest extends DeliveryStoreContract {
    private String schema;

    @Override
    protected Database openDatabase() {
        schema = TestDatabases.newSchema();
        return Database.open(TestDatabases.POSTGRES_URL, schema);
    }

    @AfterEach
    void dropSchema() {
        TestDatabases.dropSchema(schema);
    }
}
