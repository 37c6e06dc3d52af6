package io.chatwire.livelog;

import io.chatwire.delivery.Attempt;
import io.chatwire.delivery.DeliveryStore;
import io.chatwire.store.Database;
import io.chatwire.store.Jdbc;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the attempts table for the live log, always scoped to one account: the ids logged past a
 * point (the cheap part, from the {@code attempts_by_account} index alone), then the rows of the new
 * ones that match the stream's filters.
 */
final class AttemptFeed {
    private static final String IDS_AFTER = """
            SELECT id FROM attempts
            WHERE account_id = ? AND id > ?
            ORDER BY id
            LIMIT ?
            """;

    private static final String ROWS = """
            SELECT t.* FROM attempts t JOIN events e ON e.id = t.event_id
            WHERE t.account_id = ? AND t.id IN (%s)""";

    private final Database db;

    AttemptFeed(Database db) {
        this.db = db;
    }

    /** Up to {@code limit} of the account's attempt ids above {@code after}, in id order. */
    List<String> idsAfter(String accountId, String after, int limit) {
        return db.read(c -> Jdbc.query(c, IDS_AFTER, rs -> rs.getString(1), accountId, after, limit));
    }

    /** The account's attempts among {@code ids} that pass the filter, in id order. */
    List<Attempt> rows(String accountId, List<String> ids, LiveFilter filter) {
        if (ids.isEmpty()) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder(ROWS.formatted(Jdbc.placeholders(ids.size())));
        List<Object> params = new ArrayList<>();
        params.add(accountId);
        params.addAll(ids);
        filter.conditions().forEach((column, value) -> {
            sql.append(" AND ").append(column).append(" = ?");
            params.add(value);
        });
        sql.append(" ORDER BY t.id");
        return db.read(c -> Jdbc.query(c, sql.toString(), DeliveryStore::attempt, params.toArray()));
    }
}
