package io.chatwire.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Writes a backlog of due retries straight into a stopped server's SQLite file: events of one chatbot
 * and one pending delivery per event and endpoint, each already attempted once and due again in the
 * past, nobody holding a lease. One transaction, prepared statements in batches.
 */
final class Backlog {
    private Backlog() {
    }

    record Inserted(int events, int deliveries, long millis) {
    }

    static Inserted insert(Path sqliteFile, String accountId, String chatbotId, List<String> endpointIds,
            int deliveries) throws SQLException {
        int events = (deliveries + endpointIds.size() - 1) / endpointIds.size();
        long t0 = System.nanoTime();
        long now = System.currentTimeMillis();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + sqliteFile)) {
            try (Statement s = c.createStatement()) {
                // The bench owns this file and the server is stopped: durability of the load itself is moot.
                s.execute("PRAGMA synchronous=OFF");
                s.execute("PRAGMA cache_size=-262144"); // 256 MiB: the indexes stay in memory while they grow
                s.execute("PRAGMA foreign_keys=ON");
            }
            c.setAutoCommit(false);
            try (PreparedStatement ev = c.prepareStatement("""
                    INSERT INTO events (id, account_id, chatbot_id, event_type, payload, idempotency_key, created_at, test)
                    VALUES (?, ?, ?, 'chat', ?, NULL, ?, FALSE)""");
                 PreparedStatement dl = c.prepareStatement("""
                    INSERT INTO deliveries (id, event_id, endpoint_id, account_id, status, attempts, cycle_attempts,
                                            next_attempt_at, leased_by, lease_until, version, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 'pending', 1, 1, ?, NULL, NULL, 1, ?, ?)""")) {
                int made = 0;
                for (int i = 0; i < events; i++) {
                    String eventId = String.format("evt_backlog%08d", i);
                    long created = now - 600_000 + i / 1000;
                    ev.setString(1, eventId);
                    ev.setString(2, accountId);
                    ev.setString(3, chatbotId);
                    ev.setString(4, new String(LoadGen.chatEvent(chatbotId, 1_000_000_000L + i), StandardCharsets.UTF_8));
                    ev.setLong(5, created);
                    ev.addBatch();
                    for (int k = 0; k < endpointIds.size() && made < deliveries; k++, made++) {
                        dl.setString(1, String.format("dlv_backlog%08d_%d", i, k));
                        dl.setString(2, eventId);
                        dl.setString(3, endpointIds.get(k));
                        dl.setString(4, accountId);
                        dl.setLong(5, now - 60_000 + (made % 50_000)); // due during the last minute
                        dl.setLong(6, created);
                        dl.setLong(7, created + 1);
                        dl.addBatch();
                    }
                    if (i % 5_000 == 4_999) {
                        ev.executeBatch();
                        dl.executeBatch();
                    }
                }
                ev.executeBatch();
                dl.executeBatch();
            }
            c.commit();
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
        }
        return new Inserted(events, deliveries, (System.nanoTime() - t0) / 1_000_000);
    }
}
