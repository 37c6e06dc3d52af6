package io.chatwire.analytics;

import io.chatwire.event.EventType;
import io.chatwire.store.Database;
import io.chatwire.store.DeferredUpdates;
import io.chatwire.store.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The usage and delivery aggregates. They are updated inside the transactions that accept events and
 * record attempts (so they never drift from the log), and read by day range.
 */
public final class AnalyticsStore {
    private static final String BUCKET_COLUMNS = IntStream.range(0, LatencyHistogram.BUCKETS)
            .mapToObj(i -> "b" + i).collect(Collectors.joining(", "));

    private static final String ADD_USAGE = """
            INSERT INTO usage_daily (account_id, chatbot_id, day, source, chats, credits, leads, escalations)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (chatbot_id, day, source) DO UPDATE SET
                chats = usage_daily.chats + excluded.chats,
                credits = usage_daily.credits + excluded.credits,
                leads = usage_daily.leads + excluded.leads,
                escalations = usage_daily.escalations + excluded.escalations
            """;

    private static final String ADD_ENDPOINT_DAY = """
            INSERT INTO endpoint_daily (account_id, endpoint_id, day, attempts, successes, %s)
            VALUES (?, ?, ?, ?, ?, %s)
            ON CONFLICT (endpoint_id, day) DO UPDATE SET
                attempts = endpoint_daily.attempts + excluded.attempts,
                successes = endpoint_daily.successes + excluded.successes,
                %s
            """.formatted(BUCKET_COLUMNS, Jdbc.placeholders(LatencyHistogram.BUCKETS),
            IntStream.range(0, LatencyHistogram.BUCKETS)
                    .mapToObj(i -> "b" + i + " = endpoint_daily.b" + i + " + excluded.b" + i)
                    .collect(Collectors.joining(",\n    ")));

    private static final String USAGE = """
            SELECT chatbot_id, day, source, chats, credits, leads, escalations FROM usage_daily
            WHERE account_id = ? AND day >= ? AND day <= ?%s
            ORDER BY day, chatbot_id, source
            """;

    private static final String ENDPOINT_DAYS = """
            SELECT endpoint_id, day, attempts, successes, %s FROM endpoint_daily
            WHERE account_id = ? AND day >= ? AND day <= ?%s
            ORDER BY endpoint_id, day
            """.formatted(BUCKET_COLUMNS, "%s");

    private final Database db;

    public AnalyticsStore(Database db) {
        this.db = db;
    }

    static String day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC).toString();
    }

    /** Counts an accepted event in its chatbot's usage, as part of the write being run. */
    public static void countEvent(String accountId, String chatbotId, EventType type, String source, double credits,
            Instant at) {
        int chats = type == EventType.CHAT ? 1 : 0;
        DeferredUpdates.add(new UsageDelta(accountId, chatbotId, day(at), source, chats, chats == 1 ? credits : 0.0,
                type == EventType.LEAD_SUBMISSION ? 1 : 0, type == EventType.LIVE_CHAT_ESCALATION ? 1 : 0));
    }

    /** Counts an attempt that reached (or tried to reach) the endpoint, as part of the write being run. */
    public static void countAttempt(String accountId, String endpointId, boolean success, long latencyMillis,
            Instant at) {
        long[] buckets = new long[LatencyHistogram.BUCKETS];
        buckets[LatencyHistogram.bucketOf(latencyMillis)] = 1;
        DeferredUpdates.add(new EndpointDayDelta(accountId, endpointId, day(at), 1, success ? 1 : 0, buckets));
    }

    private record UsageDelta(String accountId, String chatbotId, String day, String source, long chats, double credits,
            long leads, long escalations) implements DeferredUpdates.Update {
        @Override
        public String key() {
            return "analytics.usage|" + chatbotId + "|" + day + "|" + source;
        }

        @Override
        public DeferredUpdates.Update merge(DeferredUpdates.Update later) {
            UsageDelta o = (UsageDelta) later;
            return new UsageDelta(accountId, chatbotId, day, source, chats + o.chats, credits + o.credits,
                    leads + o.leads, escalations + o.escalations);
        }

        @Override
        public void apply(Connection c) throws SQLException {
            Jdbc.update(c, ADD_USAGE, accountId, chatbotId, day, source, chats, credits, leads, escalations);
        }
    }

    private record EndpointDayDelta(String accountId, String endpointId, String day, long attempts, long successes,
            long[] buckets) implements DeferredUpdates.Update {
        @Override
        public String key() {
            return "analytics.endpoint|" + endpointId + "|" + day;
        }

        @Override
        public DeferredUpdates.Update merge(DeferredUpdates.Update later) {
            EndpointDayDelta o = (EndpointDayDelta) later;
            long[] sum = buckets.clone();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += o.buckets[i];
            }
            return new EndpointDayDelta(accountId, endpointId, day, attempts + o.attempts, successes + o.successes, sum);
        }

        @Override
        public void apply(Connection c) throws SQLException {
            Object[] params = new Object[5 + buckets.length];
            params[0] = accountId;
            params[1] = endpointId;
            params[2] = day;
            params[3] = attempts;
            params[4] = successes;
            for (int i = 0; i < buckets.length; i++) {
                params[5 + i] = buckets[i];
            }
            Jdbc.update(c, ADD_ENDPOINT_DAY, params);
        }
    }

    /** One chatbot's usage on one day from one source. */
    public record UsageDay(String chatbotId, LocalDate day, String source, long chats, double credits, long leads,
            long escalations) {
    }

    public List<UsageDay> usage(String accountId, Optional<String> chatbotId, LocalDate from, LocalDate to) {
        List<Object> params = new ArrayList<>(List.of(accountId, from.toString(), to.toString()));
        chatbotId.ifPresent(params::add);
        String sql = USAGE.formatted(chatbotId.isPresent() ? " AND chatbot_id = ?" : "");
        return db.read(c -> Jdbc.query(c, sql, rs -> new UsageDay(
                rs.getString("chatbot_id"),
                LocalDate.parse(rs.getString("day")),
                rs.getString("source"),
                rs.getLong("chats"),
                rs.getDouble("credits"),
                rs.getLong("leads"),
                rs.getLong("escalations")), params.toArray()));
    }

    /** One endpoint's delivery outcomes on one day. */
    public record EndpointDay(String endpointId, LocalDate day, long attempts, long successes, long[] latencyBuckets) {
    }

    public List<EndpointDay> endpointDays(String accountId, List<String> endpointIds, LocalDate from, LocalDate to) {
        List<Object> params = new ArrayList<>(List.of(accountId, from.toString(), to.toString()));
        params.addAll(endpointIds);
        String sql = ENDPOINT_DAYS.formatted(endpointIds.isEmpty() ? ""
                : " AND endpoint_id IN (" + Jdbc.placeholders(endpointIds.size()) + ")");
        return db.read(c -> Jdbc.query(c, sql, rs -> {
            long[] buckets = new long[LatencyHistogram.BUCKETS];
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = rs.getLong("b" + i);
            }
            return new EndpointDay(rs.getString("endpoint_id"), LocalDate.parse(rs.getString("day")),
                    rs.getLong("attempts"), rs.getLong("successes"), buckets);
        }, params.toArray()));
    }
}
