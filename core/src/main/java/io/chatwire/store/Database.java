package io.chatwire.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.chatwire.signing.SecretCipher;
import java.sql.Connection;
import java.sql.SQLException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The database of one Chatwire process: a connection pool for reads, one group-committing writer for
 * writes, and the migrations applied at open. Stores get their connections only through
 * {@link #read} and {@link #write}, so that every write is committed durably and in a batch.
 */
public final class Database implements AutoCloseable {
    private final SqlDialect dialect;
    private final HikariDataSource pool;
    private final GroupCommitWriter writer;
    private final SecretCipher cipher;

    private Database(SqlDialect dialect, HikariDataSource pool, SecretCipher cipher) {
        this.dialect = dialect;
        this.pool = pool;
        this.cipher = cipher;
        this.writer = new GroupCommitWriter(pool, 256, dialect == SqlDialect.SQLITE ? 1 : 4);
    }

    /**
     * Opens the database at the JDBC URL and applies pending migrations. For SQLite the file and its
     * directory are created private to their owner, and the WAL index is kept in memory rather than
     * in a mapped file ({@link SqliteFiles} says why); the journal is WAL with {@code synchronous=FULL},
     * so a commit survives a power cut, not only a process crash.
     */
    public static Database open(String jdbcUrl, String schema) {
        return open(jdbcUrl, schema, SecretCipher.none());
    }

    /**
     * As {@link #open(String, String)}, with signing secrets encrypted at rest by {@code cipher}. Once
     * migrated, every plaintext secret left from before encryption is sealed, and every sealed one is
     * checked to decrypt: a wrong key stops the start here, with a message, instead of failing later.
     */
    public static Database open(String jdbcUrl, String schema, SecretCipher cipher) {
        SqlDialect dialect = SqlDialect.of(jdbcUrl);
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("chatwire-db");
        switch (dialect) {
            case SQLITE -> {
                String url = SqliteFiles.prepare(jdbcUrl);
                SQLiteConfig sc = new SQLiteConfig();
                sc.setJournalMode(SQLiteConfig.JournalMode.WAL);
                sc.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
                sc.setBusyTimeout(10_000);
                sc.enforceForeignKeys(true);
                SQLiteDataSource ds = new SQLiteDataSource(sc);
                ds.setUrl(url);
                hc.setDataSource(ds);
                hc.setMaximumPoolSize(8);
                hc.setExceptionOverride(new ReadOnlyConnectionEviction());
            }
            case POSTGRESQL -> {
                hc.setJdbcUrl(jdbcUrl);
                hc.setMaximumPoolSize(16);
                if (!schema.isBlank()) {
                    // Flyway creates it below if missing. Not on every new connection: on a database
                    // that takes no writes (a standby after a failover) that would fail every
                    // connection, reads included.
                    hc.setSchema(schema);
                }
            }
        }
        hc.setConnectionTimeout(5_000);
        hc.setInitializationFailTimeout(-1);
        HikariDataSource pool = new HikariDataSource(hc);
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations(dialect.migrations())
                    .schemas(schema.isBlank() ? new String[0] : new String[] {schema})
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        Database db = new Database(dialect, pool, cipher);
        if (cipher.encrypts()) {
            try {
                SecretsAtRest.sealAndCheck(db);
            } catch (RuntimeException e) {
                db.close();
                throw e;
            }
        }
        return db;
    }

    /** The file of a SQLite URL naming a plain path; empty for PostgreSQL, in-memory and {@code file:} URLs. */
    public static Optional<Path> sqliteFile(String jdbcUrl) {
        if (!jdbcUrl.startsWith("jdbc:sqlite:")) {
            return Optional.empty();
        }
        String file = jdbcUrl.substring("jdbc:sqlite:".length());
        int query = file.indexOf('?');
        if (query >= 0) {
            file = file.substring(0, query);
        }
        if (file.isBlank() || file.startsWith(":memory:") || file.startsWith("file:")) {
            return Optional.empty();
        }
        return Optional.of(Path.of(file));
    }

    public SqlDialect dialect() {
        return dialect;
    }

    /** Encrypts and decrypts the signing secrets this database stores. */
    public SecretCipher cipher() {
        return cipher;
    }

    /** Runs read-only work on a pooled connection (auto-commit). */
    public <T> T read(SqlWork<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreUnavailableException("database read failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs the work in a transaction shared with other concurrent writes, returning once it is
     * durably committed. If the work throws, only its own changes are rolled back: a runtime exception
     * (a domain refusal such as a reached limit) reaches the caller as is, an {@link SQLException} as
     * a {@link StoreUnavailableException}.
     */
    public <T> T write(SqlWork<T> work) {
        try {
            return writer.write(work);
        } catch (SQLException e) {
            throw new StoreUnavailableException("database write failed: " + e.getMessage(), e);
        }
    }

    /**
     * As {@link #write(SqlWork)}, but waits at most {@code timeout} for the commit; past it, a
     * {@link StoreUnavailableException} (the work may still commit later).
     */
    public <T> T write(SqlWork<T> work, Duration timeout) {
        try {
            return writer.write(work, timeout);
        } catch (SQLException e) {
            throw new StoreUnavailableException("database write failed: " + e.getMessage(), e);
        }
    }

    /** How many group commits have failed since open: a count that grows with every failed batch. */
    public long failedCommits() {
        return writer.failedCommits();
    }

    @Override
    public void close() {
        writer.close();
        pool.close();
    }
}
