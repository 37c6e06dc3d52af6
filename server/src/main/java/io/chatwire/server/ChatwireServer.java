package io.chatwire.server;

import io.chatwire.account.AccountStore;
import io.chatwire.analytics.AnalyticsStore;
import io.chatwire.account.Tokens;
import io.chatwire.api.Api;
import io.chatwire.delivery.DeliveryScheduler;
import io.chatwire.delivery.DeliveryStore;
import io.chatwire.delivery.Dispatcher;
import io.chatwire.delivery.EventIntake;
import io.chatwire.delivery.HttpDeliverer;
import io.chatwire.delivery.RetentionPurger;
import io.chatwire.delivery.RetryPolicy;
import io.chatwire.endpoint.ChatbotStore;
import io.chatwire.endpoint.EndpointStore;
import io.chatwire.event.EventParser;
import io.chatwire.event.EventStore;
import io.chatwire.network.TargetGuard;
import io.chatwire.policy.Pacing;
import io.chatwire.portal.Portal;
import io.chatwire.relay.RelayEndpoints;
import io.chatwire.relay.RelayKeeper;
import io.chatwire.relay.RelayListeners;
import io.chatwire.relay.RelayRoutes;
import io.chatwire.signing.SecretCipher;
import io.chatwire.store.Database;
import io.chatwire.store.Readiness;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Gauge;
import io.chatwire.transform.Shaper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One running Chatwire node: the database, the delivery engine and the HTTP API, wired by hand.
 * Closing it shuts down in order: stop taking requests, stop claiming work, let in-flight attempts
 * finish for the grace period, give back the leases of whatever did not, close the database.
 */
public final class ChatwireServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatwireServer.class);

    private final ChatwireConfig config;
    private final Database db;
    private final HttpDeliverer http;
    private final Dispatcher dispatcher;
    private final DeliveryScheduler scheduler;
    private final DeliveryStore deliveries;
    private final RetentionPurger purger;
    private final RelayKeeper relayKeeper;
    private final Javalin app;
    private final Optional<String> firstOperatorToken;
    private boolean closed;

    private ChatwireServer(ChatwireConfig config, Database db, HttpDeliverer http, Dispatcher dispatcher,
            DeliveryScheduler scheduler, DeliveryStore deliveries, RetentionPurger purger, RelayKeeper relayKeeper,
            Javalin app, Optional<String> firstOperatorToken) {
        this.relayKeeper = relayKeeper;
        this.config = config;
        this.db = db;
        this.http = http;
        this.dispatcher = dispatcher;
        this.scheduler = scheduler;
        this.deliveries = deliveries;
        this.purger = purger;
        this.app = app;
        this.firstOperatorToken = firstOperatorToken;
    }

    public static ChatwireServer start(ChatwireConfig config) {
        MDC.put("node", config.nodeId());
        log.info("starting Chatwire: {}", config.describe());
        Clock clock = Clock.systemUTC();
        // Signing secrets are encrypted at rest with this key: CHATWIRE_SECRET_KEY, or else the key file
        // (CHATWIRE_SECRET_KEY_FILE, or secret.key in the data directory; made, 0600, at the first start).
        SecretCipher cipher = config.secretKey().map(SecretCipher::fromBase64)
                .orElseGet(() -> SecretCipher.fromKeyFile(config.secretKeyFile()));
        Database db = Database.open(config.dbUrl(), config.dbSchema(), cipher);
        AccountStore accounts = new AccountStore(db, clock);
        Optional<String> firstToken = Optional.empty();
        if (config.adminToken().isEmpty() && !accounts.hasOperatorToken()) {
            String token = Tokens.generate(AccountStore.OPERATOR_TOKEN_PREFIX);
            accounts.addOperatorToken(token);
            firstToken = Optional.of(token);
        }
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.config().commonTags("node", config.nodeId());
        TargetGuard guard = new TargetGuard(config.allowedTargets(), config.requireHttps());
        HttpDeliverer http = new HttpDeliverer(new HttpDeliverer.Settings(config.connectTimeout(),
                config.requestTimeout(), config.maxResponseBytes(), "Chatwire/0.1", guard));
        DeliveryStore deliveries = new DeliveryStore(db, config.nodeId(), config.leaseDuration(),
                config.autoDisableAfter());
        registerQueueGauges(metrics, deliveries, clock);
        new io.chatwire.ordering.HeldConversations(db, clock).registerGauges(metrics);
        RetryPolicy policy = RetryPolicy.of(config.retrySchedule());
        // Relay endpoints (chatwire listen) are delivered over their listener's connection, never dialled.
        RelayListeners relayListeners = new RelayListeners(config.requestTimeout());
        RelayEndpoints relayEndpoints = new RelayEndpoints(db, clock, config.nodeId());
        Shaper shaper = new Shaper(metrics);
        Dispatcher dispatcher = new Dispatcher(deliveries, relayListeners.routing(http), policy, clock, RandomGenerator.getDefault(),
                config.maxInFlight(), config.endpointConcurrency(), metrics, shaper);
        dispatcher.paceWith(new Pacing(db, pacingHorizon(config), policy.maxRetryAfter()));
        DeliveryScheduler scheduler = new DeliveryScheduler(deliveries, dispatcher, clock, config.pollInterval(), 500);
        EventIntake intake = new EventIntake(db, deliveries, dispatcher, clock, shaper,
                endpoint -> !endpoint.isRelay() || relayListeners.isConnected(endpoint.id()));
        Api api = new Api(new Api.Services(
                accounts,
                new ChatbotStore(db, clock),
                new EndpointStore(db, clock),
                new EventStore(db),
                new AnalyticsStore(db),
                deliveries,
                intake,
                dispatcher,
                scheduler,
                // Unknown top-level event fields are accepted unless the operator asks for strictness.
                new EventParser(config.strictEvents() ? EventParser.UnknownFields.REFUSE
                        : EventParser.UnknownFields.ACCEPT),
                db,
                metrics,
                config.adminToken(),
                clock,
                config.secretGracePeriod(),
                guard,
                new Readiness(db, config.nodeId(), clock),
                config.policyBounds()),
                new Api.Limits(config.maxEventBytes(), config.maxSettingsBytes(), config.ingestRate(),
                        config.ingestBurst(), config.authFailureLimit(), config.trustedProxies(),
                        config.onDemandRate(), config.onDemandBurst(), config.headerTimeout(),
                        config.maxConnections(),
                        io.chatwire.livelog.LiveLog.Settings.of(config.liveStreamsPerAccount(), config.liveHeartbeat())),
                java.util.List.of(new RelayRoutes(relayEndpoints, relayListeners)::register),
                Optional.of(new Portal(db, accounts, new EndpointStore(db, clock), new EventStore(db), clock,
                        new Portal.Settings(config.portalFrameAncestors(), config.publicUrl(), config.trustedProxies()))));
        Javalin app = api.create();
        app.start(config.host(), config.port());
        scheduler.start();
        RetentionPurger purger = new RetentionPurger(db, clock, config.retention(), config.purgeInterval());
        purger.start();
        RelayKeeper relayKeeper = new RelayKeeper(relayEndpoints, relayListeners, config.relayTimeout());
        return new ChatwireServer(config, db, http, dispatcher, scheduler, deliveries, purger, relayKeeper, app,
                firstToken);
    }

    /**
     * How far ahead a delivery may take a slot of its endpoint's rate limit and wait for it, holding
     * its lease: a quarter lease, less if the longest attempt would not fit in what is left of it.
     */
    static java.time.Duration pacingHorizon(ChatwireConfig config) {
        java.time.Duration longestAttempt = config.requestTimeout().compareTo(config.endpointTimeoutMax()) > 0
                ? config.requestTimeout() : config.endpointTimeoutMax();
        java.time.Duration room = config.leaseDuration().minus(longestAttempt).dividedBy(2);
        java.time.Duration quarter = config.leaseDuration().dividedBy(4);
        return room.compareTo(quarter) < 0 ? room : quarter;
    }

    /**
     * Queue depth and the age of the oldest due delivery, read from the store at scrape time (the
     * query uses the pending-only index, so it costs what is due, not the history).
     */
    private static void registerQueueGauges(MeterRegistry metrics, DeliveryStore deliveries, Clock clock) {
        Gauge.builder("chatwire.deliveries.due", deliveries, d -> safely(() -> d.queue(clock.instant()).due()))
                .description("Deliveries due now and not yet delivered (pending retries included)")
                .register(metrics);
        Gauge.builder("chatwire.deliveries.oldest.due.age.seconds", deliveries, d -> safely(() -> d.queue(clock.instant())
                        .oldestDueAt().map(t -> java.time.Duration.between(t, clock.instant()).toMillis() / 1000.0)
                        .orElse(0.0)))
                .description("How long the oldest due delivery has been waiting")
                .register(metrics);
    }

    private static double safely(java.util.function.Supplier<Number> read) {
        try {
            return read.get().doubleValue();
        } catch (RuntimeException databaseDown) {
            return Double.NaN;
        }
    }

    public int port() {
        return app.port();
    }

    public String baseUrl() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + host + ":" + port();
    }

    /** The operator token made at the first start, if this start made one. */
    public Optional<String> firstOperatorToken() {
        return firstOperatorToken;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("shutting down");
        app.stop();
        purger.close();
        relayKeeper.close();
        scheduler.close();
        dispatcher.close(config.shutdownGrace());
        try {
            int released = deliveries.releaseLeases();
            if (released > 0) {
                log.info("released {} leased deliveries for the next start or another node", released);
            }
        } catch (RuntimeException e) {
            log.warn("could not release leases; they run out by themselves: {}", e.toString());
        }
        http.close();
        db.close();
        log.info("stopped");
    }
}
