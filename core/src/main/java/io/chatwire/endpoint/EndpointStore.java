package io.chatwire.endpoint;

import io.chatwire.account.AccountStore;
import io.chatwire.account.Plan;
import io.chatwire.destination.Destination;
import io.chatwire.event.EventType;
import io.chatwire.policy.EndpointPolicy;
import io.chatwire.policy.PolicyEdit;
import io.chatwire.policy.PolicyStore;
import io.chatwire.ordering.ConversationOrder;
import io.chatwire.ordering.Ordering;
import io.chatwire.problem.Problem;
import io.chatwire.signing.SecretCipher;
import io.chatwire.signing.SecretSet;
import io.chatwire.signing.SigningSecret;
import io.chatwire.store.Database;
import io.chatwire.store.DeferredUpdates;
import io.chatwire.store.Ids;
import io.chatwire.store.Jdbc;
import io.chatwire.store.SecretsAtRest;
import io.chatwire.transform.Shaping;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The endpoints table: registration (limits and plan rules checked in the same transaction as the
 * insert), changes, per-endpoint secrets and the health record that attempts keep up to date.
 */
public final class EndpointStore {
    private static final String COLUMNS = """
            id, account_id, chatbot_id, url, content_type, event_types, description, enabled, consecutive_failures,
            failing_since, disabled_reason, disabled_at, secret IS NOT NULL AS own_secret, created_at, updated_at, kind,
            filter_expression, transform_expression, filtered_out, ordering, """
            + PolicyStore.COLUMNS;
    /** Names content_type always: the column's default is for the rows from before it existed (V6). */
    private static final String INSERT = """
            INSERT INTO endpoints (id, account_id, chatbot_id, url, content_type, event_types, description, enabled,
                                   created_at, updated_at, kind, filter_expression, transform_expression)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """;
    /** Relay endpoints (chatwire listen) are temporary and never dialled: they use no slot. */
    private static final String COUNT_OF_CHATBOT = "SELECT COUNT(*) FROM endpoints WHERE chatbot_id = ? AND NOT relay";
    private static final String PLAN_OF_ACCOUNT = "SELECT plan FROM accounts WHERE id = ?";
    private static final String BY_ID = "SELECT " + COLUMNS + " FROM endpoints WHERE id = ?";
    private static final String BY_URL = "SELECT " + COLUMNS + " FROM endpoints WHERE chatbot_id = ? AND url = ?";
    private static final String OF_CHATBOT = "SELECT " + COLUMNS + " FROM endpoints WHERE chatbot_id = ? ORDER BY created_at, id";
    private static final String UPDATE = """
            UPDATE endpoints SET url = ?, content_type = ?, event_types = ?, description = ?, enabled = ?, updated_at = ?,
                                 filter_expression = ?, transform_expression = ?
            WHERE id = ? AND account_id = ?
            """;
    private static final String SET_KIND = "UPDATE endpoints SET kind = ? WHERE id = ? AND account_id = ?";
    /** Enabling by hand clears the health record: the customer says the receiver is fixed. */
    private static final String RESET_HEALTH = """
            UPDATE endpoints SET consecutive_failures = 0, failing_since = NULL, disabled_reason = NULL, disabled_at = NULL
            WHERE id = ?
            """;
    private static final String FILTERS_OF_CHATBOT = """
            SELECT id, filter_expression, event_types FROM endpoints
            WHERE chatbot_id = ? AND enabled = ? AND filter_expression IS NOT NULL
            """;
    private static final String COUNT_FILTERED_OUT = "UPDATE endpoints SET filtered_out = filtered_out + ? WHERE id = ?";
    private static final String DELETE = "DELETE FROM endpoints WHERE id = ? AND account_id = ?";
    private static final String SET_ORDERING = "UPDATE endpoints SET ordering = ? WHERE id = ? AND account_id = ?";
    private static final String SECRETS = """
            SELECT secret, previous_secret, previous_secret_expires_at FROM endpoints WHERE id = ? AND account_id = ?
            """;
    private static final String SET_SECRET = """
            UPDATE endpoints SET previous_secret = ?, previous_secret_expires_at = ?, secret = ?, updated_at = ?
            WHERE id = ? AND account_id = ?
            """;
    private static final String CLEAR_SECRET = """
            UPDATE endpoints SET secret = NULL, previous_secret = NULL, previous_secret_expires_at = NULL, updated_at = ?
            WHERE id = ? AND account_id = ?
            """;
    private static final String RELAYS_SIGNING_AS = """
            SELECT id FROM endpoints WHERE signs_as = ? AND account_id = ? AND relay
            """;
    private static final String COPY_SECRETS = """
            UPDATE endpoints SET secret = ?, previous_secret = ?, previous_secret_expires_at = ? WHERE id = ?
            """;
    private static final String RECORD_SUCCESS = """
            UPDATE endpoints SET consecutive_failures = 0, failing_since = NULL
            WHERE id = ? AND consecutive_failures <> 0
            """;
    private static final String RECORD_FAILURE = """
            UPDATE endpoints SET consecutive_failures = consecutive_failures + ?, failing_since = COALESCE(failing_since, ?)
            WHERE id = ?
            """;
    private static final String RESTART_FAILURES = """
            UPDATE endpoints SET consecutive_failures = ?, failing_since = ? WHERE id = ?
            """;
    private static final String AUTO_DISABLE = """
            UPDATE endpoints SET enabled = ?, disabled_reason = ?, disabled_at = ?
            WHERE id = ? AND enabled = ? AND failing_since IS NOT NULL AND failing_since <= ?
            """;

    private final Database db;
    private final Clock clock;

    public EndpointStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** What a new endpoint should be; {@code policy} is applied to the defaults. */
    public record Spec(URI url, DeliveryContentType contentType, Set<EventType> eventTypes, String description,
            boolean enabled, PolicyEdit policy, Destination kind, Shaping shaping, Ordering ordering) {
        /** A plain, unordered webhook endpoint with the default policy, that gets every event of its types as it is. */
        public Spec(URI url, DeliveryContentType contentType, Set<EventType> eventTypes, String description,
                boolean enabled) {
            this(url, contentType, eventTypes, description, enabled, PolicyEdit.NONE, Destination.FOR_NEW_ENDPOINTS,
                    Shaping.NONE, Ordering.NONE);
        }
    }

    /**
     * Changes to an endpoint; absent fields stay as they are.
     *
     * @param filter present to change the filter: to the expression, or (empty) to none
     * @param transform present to change the transform: to the expression, or (empty) to none
     */
    public record Changes(Optional<URI> url, Optional<DeliveryContentType> contentType,
            Optional<Set<EventType>> eventTypes, Optional<String> description, Optional<Boolean> enabled,
            PolicyEdit policy, Optional<Destination> kind, Optional<Optional<String>> filter,
            Optional<Optional<String>> transform, Optional<Ordering> ordering) {
        /** Changes that leave the policy, the kind, the filter, the transform and the ordering as they are. */
        public Changes(Optional<URI> url, Optional<DeliveryContentType> contentType,
                Optional<Set<EventType>> eventTypes, Optional<String> description, Optional<Boolean> enabled) {
            this(url, contentType, eventTypes, description, enabled, PolicyEdit.NONE, Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /**
     * Registers an endpoint on one of the account's chatbots: 404 for a chatbot not the account's,
     * 403 on a plan without webhooks, 409 for a URL the chatbot already has or once its limit is reached.
     */
    public Endpoint create(String accountId, String chatbotId, Spec spec) {
        return db.write(c -> insert(c, accountId, chatbotId, spec));
    }

    private Endpoint insert(Connection c, String accountId, String chatbotId, Spec spec) throws SQLException {
        Chatbot chatbot = ownChatbot(c, accountId, chatbotId);
        Plan plan = Jdbc.queryOne(c, PLAN_OF_ACCOUNT, rs -> Plan.fromWire(rs.getString(1)), accountId)
                .orElseThrow(() -> new Problem.NotFound("account", accountId));
        if (!plan.hasWebhooks()) {
            throw new Problem.Forbidden("plan_without_webhooks",
                    "the free plan has no webhooks: upgrade to standard or professional to register endpoints");
        }
        if (Jdbc.queryOne(c, BY_URL, rs -> true, chatbotId, spec.url().toString()).isPresent()) {
            throw new Problem.Conflict("endpoint_exists", "chatbot " + chatbotId + " already has an endpoint for "
                    + spec.url() + ": change that one instead");
        }
        long count = Jdbc.queryOne(c, COUNT_OF_CHATBOT, rs -> rs.getLong(1), chatbotId).orElse(0L);
        int limit = chatbot.effectiveEndpointLimit();
        if (count >= limit) {
            throw new Problem.Conflict("endpoint_limit_reached", "chatbot " + chatbotId + " already has "
                    + count + " of " + limit + " endpoints: delete one first, or ask for a higher limit");
        }
        Instant now = clock.instant();
        Endpoint endpoint = new Endpoint(Ids.newId("ep"), accountId, chatbotId, spec.url(), spec.contentType(),
                spec.eventTypes(), spec.description(), spec.enabled(), Endpoint.Health.GOOD, false, now, now,
                EndpointPolicy.DEFAULT, spec.kind(), spec.shaping(), spec.ordering());
        Jdbc.update(c, INSERT, endpoint.id(), accountId, chatbotId, spec.url().toString(),
                spec.contentType().wireName(), EventType.toColumn(spec.eventTypes()), spec.description(),
                spec.enabled(), now.toEpochMilli(), now.toEpochMilli(), spec.kind().wireName(),
                spec.shaping().filter().orElse(null), spec.shaping().transform().orElse(null));
        if (spec.ordering() != Ordering.NONE) {
            Jdbc.update(c, SET_ORDERING, spec.ordering().wireName(), endpoint.id(), accountId);
        }
        if (spec.policy().changesNothing()) {
            return endpoint;
        }
        PolicyStore.write(c, db.cipher(), endpoint.id(), EndpointPolicy.DEFAULT, spec.policy());
        return find(c, endpoint.id()).orElseThrow();
    }

    /** Result of the Chat Data style registration: the endpoint, and what the call changed. */
    public record Subscribed(Endpoint endpoint, Change change) {
        public enum Change {
            /** A new endpoint was registered (it counts against the chatbot's limit). */
            CREATED,
            /** The chatbot's endpoint for the URL gained the event type. */
            EXTENDED,
            /** The endpoint already had the event type: nothing was written. */
            ALREADY_SUBSCRIBED
        }
    }

    /**
     * Subscribes a URL to one more event type: the chatbot's endpoint for that URL gains the type, or
     * a new endpoint is registered (counting against the limit, with the content type new endpoints
     * get) if the chatbot has none for it. A URL already subscribed to the type is left as it is, so
     * that a client repeating its registration (an automation tool re-activating a workflow) is told
     * so rather than that something was added.
     */
    public Subscribed subscribe(String accountId, String chatbotId, URI url, EventType type) {
        return db.write(c -> {
            ownChatbot(c, accountId, chatbotId);
            Optional<Endpoint> existing = Jdbc.queryOne(c, BY_URL, EndpointStore::endpoint, chatbotId, url.toString());
            if (existing.isEmpty()) {
                return new Subscribed(insert(c, accountId, chatbotId,
                        new Spec(url, DeliveryContentType.FOR_NEW_ENDPOINTS, EnumSet.of(type), "", true)),
                        Subscribed.Change.CREATED);
            }
            Endpoint e = existing.get();
            if (e.eventTypes().contains(type)) {
                return new Subscribed(e, Subscribed.Change.ALREADY_SUBSCRIBED);
            }
            EnumSet<EventType> types = EnumSet.of(type);
            types.addAll(e.eventTypes());
            Jdbc.update(c, UPDATE, e.url().toString(), e.contentType().wireName(), EventType.toColumn(types),
                    e.description(), e.enabled(), clock.instant().toEpochMilli(),
                    e.shaping().filter().orElse(null), e.shaping().transform().orElse(null), e.id(), accountId);
            return new Subscribed(find(c, e.id()).orElseThrow(), Subscribed.Change.EXTENDED);
        });
    }

    /** Removes the chatbot's endpoint for the URL (Chat Data style: by URL, not id). */
    public Endpoint unsubscribe(String accountId, String chatbotId, URI url) {
        return db.write(c -> {
            ownChatbot(c, accountId, chatbotId);
            Endpoint e = Jdbc.queryOne(c, BY_URL, EndpointStore::endpoint, chatbotId, url.toString())
                    .orElseThrow(() -> new Problem.NotFound("webhook for", url.toString()));
            Jdbc.update(c, DELETE, e.id(), accountId);
            return e;
        });
    }

    public List<Endpoint> listOfChatbot(String accountId, String chatbotId) {
        return db.read(c -> {
            ownChatbot(c, accountId, chatbotId);
            return Jdbc.query(c, OF_CHATBOT, EndpointStore::endpoint, chatbotId);
        });
    }

    /** The account's endpoint, or 404 (also when it belongs to another account). */
    public Endpoint get(String accountId, String endpointId) {
        return db.read(c -> find(c, endpointId))
                .filter(e -> e.accountId().equals(accountId))
                .orElseThrow(() -> new Problem.NotFound("endpoint", endpointId));
    }

    /** Applies the changes; enabling an endpoint clears its health record. */
    public Endpoint update(String accountId, String endpointId, Changes changes) {
        return db.write(c -> {
            Endpoint current = find(c, endpointId).filter(e -> e.accountId().equals(accountId))
                    .orElseThrow(() -> new Problem.NotFound("endpoint", endpointId));
            if (changes.url().isPresent() && current.isRelay()) {
                // A relay endpoint given a dialable URL would be an endpoint outside the chatbot's limit.
                throw new Problem.Conflict("relay_endpoint", "endpoint " + endpointId
                        + " is a chatwire listen relay; its URL cannot be changed (register a new endpoint instead)");
            }
            URI url = changes.url().orElse(current.url());
            if (!url.equals(current.url())
                    && Jdbc.queryOne(c, BY_URL, rs -> true, current.chatbotId(), url.toString()).isPresent()) {
                throw new Problem.Conflict("endpoint_exists", "chatbot " + current.chatbotId()
                        + " already has an endpoint for " + url);
            }
            boolean enabled = changes.enabled().orElse(current.enabled());
            Jdbc.update(c, UPDATE, url.toString(), changes.contentType().orElse(current.contentType()).wireName(),
                    EventType.toColumn(changes.eventTypes().orElse(current.eventTypes())),
                    changes.description().orElse(current.description()), enabled, clock.instant().toEpochMilli(),
                    changes.filter().orElse(current.shaping().filter()).orElse(null),
                    changes.transform().orElse(current.shaping().transform()).orElse(null),
                    endpointId, accountId);
            PolicyStore.write(c, db.cipher(), endpointId, current.policy(), changes.policy());
            if (changes.kind().isPresent()) {
                Jdbc.update(c, SET_KIND, changes.kind().get().wireName(), endpointId, accountId);
            }
            if (enabled && changes.enabled().isPresent()) {
                Jdbc.update(c, RESET_HEALTH, endpointId);
            }
            if (changes.ordering().isPresent() && changes.ordering().get() != current.ordering()) {
                Jdbc.update(c, SET_ORDERING, changes.ordering().get().wireName(), endpointId, accountId);
                if (changes.ordering().get() == Ordering.NONE) {
                    // What waited behind a head goes now, as unordered deliveries do. Switching on
                    // orders only the events accepted from then on.
                    ConversationOrder.orderingSwitchedOff(c, endpointId, clock.instant());
                }
            }
            return find(c, endpointId).orElseThrow();
        });
    }

    public void delete(String accountId, String endpointId) {
        int rows = db.write(c -> Jdbc.update(c, DELETE, endpointId, accountId));
        if (rows != 1) {
            throw new Problem.NotFound("endpoint", endpointId);
        }
    }

    /** The endpoint's own secrets, if it has its own. */
    public Optional<SecretSet> ownSecret(String accountId, String endpointId) {
        get(accountId, endpointId);
        return db.read(c -> Jdbc.queryOne(c, SECRETS, rs -> ownSecrets(rs, db.cipher(), endpointId), endpointId,
                accountId)).flatMap(o -> o);
    }

    /**
     * Gives the endpoint a new secret of its own. The secret it signed with until now (its own, or
     * the account's) keeps working for the grace period, so the receiver can switch without downtime.
     */
    public SecretSet rotateOwnSecret(String accountId, String endpointId, Duration grace) {
        Instant now = clock.instant();
        SigningSecret fresh = SigningSecret.generate();
        db.write(c -> {
            find(c, endpointId).filter(e -> e.accountId().equals(accountId))
                    .orElseThrow(() -> new Problem.NotFound("endpoint", endpointId));
            SecretCipher cipher = db.cipher();
            String row = SecretsAtRest.endpointRow(endpointId);
            SigningSecret signingNow = signingSecrets(c, cipher, accountId, endpointId).current();
            Jdbc.update(c, SET_SECRET, cipher.seal(signingNow.value(), row), now.plus(grace).toEpochMilli(),
                    cipher.seal(fresh.value(), row), now.toEpochMilli(), endpointId, accountId);
            copySecretsToRelays(c, cipher, accountId, endpointId);
            return null;
        });
        return ownSecret(accountId, endpointId).orElseThrow();
    }

    /** The endpoint signs with the account's secret again. */
    public void clearOwnSecret(String accountId, String endpointId) {
        int rows = db.write(c -> {
            int cleared = Jdbc.update(c, CLEAR_SECRET, clock.instant().toEpochMilli(), endpointId, accountId);
            copySecretsToRelays(c, db.cipher(), accountId, endpointId);
            return cleared;
        });
        if (rows != 1) {
            throw new Problem.NotFound("endpoint", endpointId);
        }
    }

    /**
     * The secrets an endpoint's deliveries are signed with: its own if it has them, else the account's;
     * decrypted with {@code cipher} (the database's, {@link Database#cipher()}).
     */
    public static SecretSet signingSecrets(Connection c, SecretCipher cipher, String accountId, String endpointId)
            throws SQLException {
        Optional<SecretSet> own = Jdbc.queryOne(c, SECRETS, rs -> ownSecrets(rs, cipher, endpointId), endpointId,
                accountId).flatMap(o -> o);
        return own.isPresent() ? own.get() : AccountStore.secrets(c, cipher, accountId).orElseThrow();
    }

    /**
     * Gives endpoint {@code to} a copy of the secrets {@code from} signs with: its own (sealed anew
     * for {@code to}'s row), or none, so that {@code to} signs with the account's secret as
     * {@code from} does. Relay endpoints of {@code chatwire listen --secret-of} sign this way.
     */
    public static void copySecrets(Connection c, SecretCipher cipher, String accountId, String from, String to)
            throws SQLException {
        Optional<SecretSet> own = Jdbc.queryOne(c, SECRETS, rs -> ownSecrets(rs, cipher, from), from, accountId)
                .flatMap(o -> o);
        String row = SecretsAtRest.endpointRow(to);
        Jdbc.update(c, COPY_SECRETS,
                own.map(s -> cipher.seal(s.current().value(), row)),
                own.flatMap(SecretSet::previous).map(p -> cipher.seal(p.value(), row)),
                own.flatMap(SecretSet::previousExpiresAt).map(Instant::toEpochMilli),
                to);
    }

    /** The relay endpoints signing as {@code source} follow its secrets when they change. */
    private static void copySecretsToRelays(Connection c, SecretCipher cipher, String accountId, String source)
            throws SQLException {
        for (String relay : Jdbc.query(c, RELAYS_SIGNING_AS, rs -> rs.getString(1), source, accountId)) {
            copySecrets(c, cipher, accountId, source, relay);
        }
    }

    private static Optional<SecretSet> ownSecrets(ResultSet rs, SecretCipher cipher, String endpointId)
            throws SQLException {
        return rs.getString("secret") == null ? Optional.empty()
                : Optional.of(AccountStore.secretSet(cipher, SecretsAtRest.endpointRow(endpointId), rs,
                        "secret", "previous_secret", "previous_secret_expires_at"));
    }

    /** Notes a successful attempt, as part of the write being run: the endpoint is healthy again. */
    public static void recordSuccess(String endpointId, Instant at, Duration disableAfter) {
        DeferredUpdates.add(new HealthChange(endpointId, true, 0, Optional.empty(), at, disableAfter));
    }

    /**
     * Notes a failed attempt, as part of the write being run; the endpoint is disabled once it has
     * failed every attempt for {@code disableAfter}.
     */
    public static void recordFailure(String endpointId, Instant at, Duration disableAfter) {
        DeferredUpdates.add(new HealthChange(endpointId, false, 1, Optional.of(at), at, disableAfter));
    }

    /**
     * The net effect on an endpoint's health record of a run of attempts in one transaction: whether
     * one succeeded, and the failures after the last success (with the first one's time).
     */
    private record HealthChange(String endpointId, boolean sawSuccess, int failuresAfter,
            Optional<Instant> firstFailureAfter, Instant lastAt, Duration disableAfter)
            implements DeferredUpdates.Update {
        @Override
        public String key() {
            return "endpoint.health|" + endpointId;
        }

        @Override
        public DeferredUpdates.Update merge(DeferredUpdates.Update later) {
            HealthChange o = (HealthChange) later;
            if (o.sawSuccess) {
                return o;
            }
            return new HealthChange(endpointId, sawSuccess, failuresAfter + o.failuresAfter,
                    firstFailureAfter.or(() -> o.firstFailureAfter), o.lastAt, disableAfter);
        }

        @Override
        public void apply(Connection c) throws SQLException {
            if (sawSuccess) {
                if (failuresAfter == 0) {
                    Jdbc.update(c, RECORD_SUCCESS, endpointId);
                    return;
                }
                Jdbc.update(c, RESTART_FAILURES, failuresAfter, firstFailureAfter.orElseThrow().toEpochMilli(),
                        endpointId);
            } else {
                Jdbc.update(c, RECORD_FAILURE, failuresAfter, firstFailureAfter.orElseThrow().toEpochMilli(),
                        endpointId);
            }
            String reason = "every attempt failed for "
                    + disableAfter.toString().substring(2).toLowerCase(java.util.Locale.ROOT)
                    + " (since the first failure of the run); fix the receiver and enable the endpoint again";
            Jdbc.update(c, AUTO_DISABLE, false, reason, lastAt.toEpochMilli(), endpointId, true,
                    lastAt.minus(disableAfter).toEpochMilli());
        }
    }

    /** An enabled endpoint's filter, with the event types it is subscribed to. */
    public record Filter(String endpointId, String expression, Set<EventType> eventTypes) {
    }

    /** The filters of the chatbot's enabled endpoints (ingest judges an event by them before storing it). */
    public static List<Filter> filtersOfChatbot(Connection c, String chatbotId) throws SQLException {
        return Jdbc.query(c, FILTERS_OF_CHATBOT, rs -> new Filter(rs.getString("id"), rs.getString("filter_expression"),
                EventType.fromColumn(rs.getString("event_types"))), chatbotId, true);
    }

    /**
     * Notes, as part of the write being run, that the endpoint's filter kept an event from it: such
     * an event is no delivery, and this count is all that shows it was there.
     */
    public static void countFilteredOut(String endpointId) {
        DeferredUpdates.add(new FilteredOut(endpointId, 1));
    }

    private record FilteredOut(String endpointId, long events) implements DeferredUpdates.Update {
        @Override
        public String key() {
            return "endpoint.filtered|" + endpointId;
        }

        @Override
        public DeferredUpdates.Update merge(DeferredUpdates.Update later) {
            return new FilteredOut(endpointId, events + ((FilteredOut) later).events);
        }

        @Override
        public void apply(Connection c) throws SQLException {
            Jdbc.update(c, COUNT_FILTERED_OUT, events, endpointId);
        }
    }

    /** The chatbot's endpoints, read inside the caller's transaction (ingest fans out from these). */
    public static List<Endpoint> ofChatbot(Connection c, String chatbotId) throws SQLException {
        return Jdbc.query(c, OF_CHATBOT, EndpointStore::endpoint, chatbotId);
    }

    public static Optional<Endpoint> find(Connection c, String endpointId) throws SQLException {
        return Jdbc.queryOne(c, BY_ID, EndpointStore::endpoint, endpointId);
    }

    public static Optional<Chatbot> findChatbot(Connection c, String chatbotId) throws SQLException {
        return ChatbotStore.find(c, chatbotId);
    }

    private static Chatbot ownChatbot(Connection c, String accountId, String chatbotId) throws SQLException {
        return ChatbotStore.find(c, chatbotId)
                .filter(b -> b.accountId().equals(accountId))
                .orElseThrow(() -> new Problem.NotFound("chatbot", chatbotId));
    }

    static Endpoint endpoint(ResultSet rs) throws SQLException {
        return new Endpoint(
                rs.getString("id"),
                rs.getString("account_id"),
                rs.getString("chatbot_id"),
                URI.create(rs.getString("url")),
                DeliveryContentType.fromWire("content_type", rs.getString("content_type")),
                EventType.fromColumn(rs.getString("event_types")),
                rs.getString("description"),
                rs.getBoolean("enabled"),
                new Endpoint.Health(
                        rs.getInt("consecutive_failures"),
                        Jdbc.optionalLong(rs, "failing_since").map(Instant::ofEpochMilli),
                        Optional.ofNullable(rs.getString("disabled_reason")),
                        Jdbc.optionalLong(rs, "disabled_at").map(Instant::ofEpochMilli)),
                rs.getBoolean("own_secret"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")),
                PolicyStore.settings(rs),
                Destination.fromWire("kind", rs.getString("kind")),
                new Shaping(Optional.ofNullable(rs.getString("filter_expression")),
                        Optional.ofNullable(rs.getString("transform_expression")), rs.getLong("filtered_out")),
                Ordering.fromWire("ordering", rs.getString("ordering")));
    }
}
