package io.chatwire.store;

import io.chatwire.testing.TestDatabases;

/**
 * A migrated database in a PostgreSQL schema of its own, for a contract test's PostgreSQL run.
 * Closing closes the pool before dropping the schema: a connection the pool opened to refill itself
 * would otherwise create the schema again (its init SQL) right after the drop.
 */
public final class PostgresSchema implements AutoCloseable {
    private final String schema = TestDatabases.newSchema();
    private final Database db = Database.open(TestDatabases.POSTGRES_URL, schema);

    public Database db() {
        return db;
    }

    @Override
    public void close() {
        db.close();
        TestDatabases.dropSchema(schema);
    }
}
