package io.chatwire.examples.history.store;

import io.chatwire.examples.history.event.HistoryEvent;
import io.chatwire.examples.history.event.Turn;
import io.chatwire.examples.history.store.Views.Activity;
import io.chatwire.examples.history.store.Views.Conversation;
import io.chatwire.examples.history.store.Views.Lead;
import io.chatwire.examples.history.store.Views.LeadSummary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The chat histories, in one SQLite file. One connection, one caller at a time: a receiver's load is
 * a few deliveries a second, and serializing them makes "seen this webhook-id?" and "store it" one
 * step without further locking.
 *
 * <p>Transcripts: every chat event repeats the conversation so far ({@code messages}) and adds its
 * {@code answer}. The store keeps one row per message and, for each event, writes only the part of its
 * transcript past what is already stored (usually the new question and the answer). Deliveries can
 * arrive out of order (a retry of an older event after a newer one), so an event whose transcript is
 * not longer than the stored one adds nothing: the longest history seen wins. Should an event's
 * history differ from the stored one at some message, the stored turns from there on are replaced
 * by the event's, as long as its transcript is the longer.
 */
public final class HistoryStore implements AutoCloseable {
    static final int SCHEMA_VERSION = 1;

    private final Connection db;
    private final Clock clock;

    private HistoryStore(Connection db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public static HistoryStore open(Path file, Clock clock) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=5000");
            }
            migrate(db);
            return new HistoryStore(db, clock);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the SQLite database " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of " + file, e);
        }
    }

    /**
     * Plain schema SQL and SQLite's {@code user_version} instead of Flyway: one schema version, one
     * file, nothing to learn. A second version is one more {@code if} here, or the moment to adopt
     * Flyway as Chatwire's core does.
     */
    private static void migrate(Connection db) throws SQLException {
        int version;
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            version = rs.getInt(1);
        }
        if (version == SCHEMA_VERSION) {
            return;
        }
        if (version != 0) {
            throw new IllegalStateException("the database has schema version " + version + "; this build knows "
                    + SCHEMA_VERSION);
        }
        db.setAutoCommit(false);
        try (Statement s = db.createStatement()) {
            for (String statement : schemaStatements()) {
                s.execute(statement);
            }
            s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
            db.commit();
        } catch (SQLException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
    }

    private static List<String> schemaStatements() {
        try (InputStream in = HistoryStore.class.getResourceAsStream("schema.sql")) {
            if (in == null) {
                throw new IllegalStateException("schema.sql is missing from the class path");
            }
            String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)^--.*$", "");
            return java.util.Arrays.stream(sql.split(";\\s*\\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stores a verified delivery once per delivery id; the whole delivery or nothing. */
    public synchronized Recorded record(String deliveryId, HistoryEvent event) {
        long now = clock.millis();
        try {
            db.setAutoCommit(false);
            try {
                Recorded result = recordInTransaction(deliveryId, event, now);
                db.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("storing delivery failed: " + e.getMessage(), e);
        }
    }

    private Recorded recordInTransaction(String deliveryId, HistoryEvent event, long now) throws SQLException {
        int inserted = update("INSERT OR IGNORE INTO deliveries (delivery_id, event_type, received_at) VALUES (?, ?, ?)",
                deliveryId, event.type(), now);
        if (inserted == 0) {
            return new Recorded.Duplicate();
        }
        for (String lead : event.leadUuid().stream().toList()) {
            update("INSERT INTO leads (lead_uuid, first_seen, last_seen) VALUES (?, ?, ?) "
                    + "ON CONFLICT (lead_uuid) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)", lead, now, now);
        }
        return switch (event) {
            case HistoryEvent.Chat chat -> {
                // A chat without a conversation id is a conversation of its own.
                String conversation = chat.conversationId().orElse("delivery:" + deliveryId);
                touchConversation(conversation, chat.chatbotId(), chat.leadUuid(), chat.source(), now);
                yield new Recorded.Stored(mergeTranscript(conversation, chat.transcript(), deliveryId));
            }
            case HistoryEvent.LeadSubmission lead -> {
                for (String uuid : lead.leadUuid().stream().toList()) {
                    update("UPDATE leads SET name = coalesce(?, name), email = coalesce(?, email), "
                                    + "phone = coalesce(?, phone), lead_json = ? WHERE lead_uuid = ?",
                            lead.name().orElse(null), lead.email().orElse(null), lead.phone().orElse(null),
                            lead.leadJson(), uuid);
                }
                lead.conversationId().ifPresent(c -> touchConversationUnchecked(c, lead.chatbotId(), lead.leadUuid(),
                        "unknown", now));
                String summary = String.join(", ", java.util.stream.Stream.of(lead.name(), lead.email(), lead.phone())
                        .flatMap(Optional::stream).toList());
                addActivity(deliveryId, event, summary.isEmpty() ? "lead form submitted" : summary, now);
                yield new Recorded.Stored(0);
            }
            case HistoryEvent.LiveChatEscalation escalation -> {
                escalation.conversationId().ifPresent(c -> touchConversationUnchecked(c, escalation.chatbotId(),
                        escalation.leadUuid(), escalation.source(), now));
                addActivity(deliveryId, event, escalation.lastMessage().orElse("asked for a human"), now);
                yield new Recorded.Stored(0);
            }
            case HistoryEvent.Other other -> new Recorded.Stored(0);
        };
    }

    private void touchConversation(String conversation, String chatbotId, Optional<String> lead, String source, long now)
            throws SQLException {
        // The first event names the chatbot and source; any event may be the first to name the lead.
        update("INSERT INTO conversations (conversation_id, chatbot_id, lead_uuid, source, first_seen, last_seen) "
                        + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET "
                        + "lead_uuid = coalesce(lead_uuid, excluded.lead_uuid), last_seen = max(last_seen, excluded.last_seen)",
                conversation, chatbotId, lead.orElse(null), source, now, now);
    }

    private void touchConversationUnchecked(String conversation, String chatbotId, Optional<String> lead, String source,
            long now) {
        try {
            touchConversation(conversation, chatbotId, lead, source, now);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Writes the part of {@code incoming} past the stored transcript; returns how many turns it wrote. */
    private int mergeTranscript(String conversation, List<Turn> incoming, String deliveryId) throws SQLException {
        List<Turn> stored = turns(conversation);
        if (incoming.size() <= stored.size()) {
            return 0; // an older event, or the same history: nothing new
        }
        int common = 0;
        while (common < stored.size() && stored.get(common).sameMessageAs(incoming.get(common))) {
            common++;
        }
        update("DELETE FROM turns WHERE conversation_id = ? AND position >= ?", conversation, common);
        try (PreparedStatement insert = db.prepareStatement(
                "INSERT INTO turns (conversation_id, position, role, content, score, delivery_id) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (int i = common; i < incoming.size(); i++) {
                Turn t = incoming.get(i);
                bind(insert, conversation, i, t.role(), t.content(), t.score().orElse(null), deliveryId);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        return incoming.size() - common;
    }

    private void addActivity(String deliveryId, HistoryEvent event, String summary, long now) throws SQLException {
        update("INSERT INTO activity (delivery_id, event_type, conversation_id, lead_uuid, summary, received_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?)", deliveryId, event.type(), event.conversationId().orElse(null),
                event.leadUuid().orElse(null), summary, now);
    }

    // --- reading -----------------------------------------------------------------------------------

    public synchronized Optional<Conversation> conversation(String conversationId) {
        try {
            return conversationRow(conversationId);
        } catch (SQLException e) {
            throw new IllegalStateException("reading conversation failed: " + e.getMessage(), e);
        }
    }

    public synchronized Optional<Lead> lead(String leadUuid) {
        try (PreparedStatement q = db.prepareStatement(
                "SELECT name, email, phone, first_seen, last_seen FROM leads WHERE lead_uuid = ?")) {
            q.setString(1, leadUuid);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                List<Conversation> conversations = new ArrayList<>();
                for (String id : strings("SELECT conversation_id FROM conversations WHERE lead_uuid = ? "
                        + "ORDER BY last_seen DESC, conversation_id", leadUuid)) {
                    conversationRow(id).ifPresent(conversations::add);
                }
                return Optional.of(new Lead(leadUuid, Optional.ofNullable(rs.getString(1)),
                        Optional.ofNullable(rs.getString(2)), Optional.ofNullable(rs.getString(3)),
                        Instant.ofEpochMilli(rs.getLong(4)), Instant.ofEpochMilli(rs.getLong(5)), conversations,
                        activity("lead_uuid", leadUuid)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading lead failed: " + e.getMessage(), e);
        }
    }

    /** The most recently seen leads first. */
    public synchronized List<LeadSummary> leads(int limit) {
        try (PreparedStatement q = db.prepareStatement("SELECT l.lead_uuid, l.name, l.email, l.last_seen, "
                + "(SELECT count(*) FROM conversations c WHERE c.lead_uuid = l.lead_uuid) "
                + "FROM leads l ORDER BY l.last_seen DESC, l.lead_uuid LIMIT ?")) {
            q.setInt(1, limit);
            List<LeadSummary> leads = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    leads.add(new LeadSummary(rs.getString(1), Optional.ofNullable(rs.getString(2)),
                            Optional.ofNullable(rs.getString(3)), rs.getInt(5), Instant.ofEpochMilli(rs.getLong(4))));
                }
            }
            return leads;
        } catch (SQLException e) {
            throw new IllegalStateException("reading leads failed: " + e.getMessage(), e);
        }
    }

    private Optional<Conversation> conversationRow(String conversationId) throws SQLException {
        try (PreparedStatement q = db.prepareStatement("SELECT chatbot_id, lead_uuid, source, first_seen, last_seen "
                + "FROM conversations WHERE conversation_id = ?")) {
            q.setString(1, conversationId);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Conversation(conversationId, rs.getString(1), Optional.ofNullable(rs.getString(2)),
                        rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)), Instant.ofEpochMilli(rs.getLong(5)),
                        turns(conversationId), activity("conversation_id", conversationId)));
            }
        }
    }

    private List<Turn> turns(String conversationId) throws SQLException {
        try (PreparedStatement q = db.prepareStatement(
                "SELECT role, content, score FROM turns WHERE conversation_id = ? ORDER BY position")) {
            q.setString(1, conversationId);
            List<Turn> turns = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    double score = rs.getDouble(3);
                    turns.add(new Turn(rs.getString(1), rs.getString(2),
                            rs.wasNull() ? Optional.empty() : Optional.of(score)));
                }
            }
            return turns;
        }
    }

    private List<Activity> activity(String column, String value) throws SQLException {
        try (PreparedStatement q = db.prepareStatement("SELECT event_type, conversation_id, lead_uuid, summary, received_at "
                + "FROM activity WHERE " + column + " = ? ORDER BY id")) {
            q.setString(1, value);
            List<Activity> activity = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    activity.add(new Activity(rs.getString(1), Optional.ofNullable(rs.getString(2)),
                            Optional.ofNullable(rs.getString(3)), rs.getString(4), Instant.ofEpochMilli(rs.getLong(5))));
                }
            }
            return activity;
        }
    }

    private List<String> strings(String sql, Object... args) throws SQLException {
        try (PreparedStatement q = db.prepareStatement(sql)) {
            bind(q, args);
            List<String> values = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
            return values;
        }
    }

    private int update(String sql, Object... args) throws SQLException {
        try (PreparedStatement s = db.prepareStatement(sql)) {
            bind(s, args);
            return s.executeUpdate();
        }
    }

    private static void bind(PreparedStatement s, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                s.setNull(i + 1, Types.NULL);
            } else {
                s.setObject(i + 1, args[i]);
            }
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException ignored) {
            // Closing at shutdown: nothing left to do about it.
        }
    }
}
