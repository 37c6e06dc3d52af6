package io.chatwire.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.chatwire.abuse.AuthThrottle;
import io.chatwire.abuse.ClientAddresses;
import io.chatwire.abuse.RateLimiter;
import io.chatwire.account.AccountStore;
import io.chatwire.analytics.AnalyticsStore;
import io.chatwire.delivery.DeliveryScheduler;
import io.chatwire.delivery.DeliveryStore;
import io.chatwire.delivery.Dispatcher;
import io.chatwire.delivery.EventIntake;
import io.chatwire.endpoint.ChatbotStore;
import io.chatwire.endpoint.EndpointStore;
import io.chatwire.event.EventParser;
import io.chatwire.event.EventStore;
import io.chatwire.livelog.LiveLog;
import io.chatwire.network.Cidr;
import io.chatwire.network.TargetGuard;
import io.chatwire.policy.PolicyBounds;
import io.chatwire.problem.Problem;
import io.chatwire.store.Database;
import io.chatwire.store.Readiness;
import io.chatwire.store.StoreUnavailableException;
import io.javalin.Javalin;
import io.javalin.config.JettyConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: JSON in and out, bearer tokens, every refusal a 4xx with {@code {error, message}}.
 * Handlers run on virtual threads, so they simply block on the database.
 */
public final class Api {
    /**
     * A request attribute holding a body already read by a check before the route (a portal session's
     * scope reads a preview's {@code event_id}); the route reads it from there, under the same limit.
     */
    public static final String BODY_READ_AHEAD = "chatwire.bodyReadAhead";

    private static final Logger log = LoggerFactory.getLogger(Api.class);

    /** What the handlers work with. */
    public record Services(
            AccountStore accounts,
            ChatbotStore chatbots,
            EndpointStore endpoints,
            EventStore events,
            AnalyticsStore analytics,
            DeliveryStore deliveries,
            EventIntake intake,
            Dispatcher dispatcher,
            DeliveryScheduler scheduler,
            EventParser parser,
            Database db,
            PrometheusMeterRegistry metrics,
            Optional<String> adminToken,
            Clock clock,
            Duration secretGracePeriod,
            TargetGuard guard,
            Readiness readiness,
            PolicyBounds policyBounds) {
    }

    /**
     * Body size caps, and the abuse limits: events per second per account (0 = no limit) with the
     * burst a bucket saves up, free failed authentications per minute per address (0 = off), the
     * reverse proxies whose forwarded addresses are believed, on-demand sends (test, resend,
     * recover) per second per account (0 = no limit) with their burst, how long a request's headers
     * may take to arrive, how many connections are held at once, and the live log's streams.
     */
    public record Limits(long maxEventBytes, long maxSettingsBytes, int ingestRate, int ingestBurst,
            int authFailureLimit, List<Cidr> trustedProxies, int onDemandRate, int onDemandBurst,
            Duration headerTimeout, int maxConnections, LiveLog.Settings liveLog) {
        public Limits {
            trustedProxies = List.copyOf(trustedProxies);
        }

        public Limits(long maxEventBytes, long maxSettingsBytes) {
            this(maxEventBytes, maxSettingsBytes, 0, 0, 0, List.of(), 0, 0, Duration.ofSeconds(10), 10_000,
                    LiveLog.Settings.of(5, Duration.ofSeconds(10)));
        }
    }

    static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .addModule(new Jdk8Module())
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_ABSENT,
                    JsonInclude.Include.NON_ABSENT))
            .build();

    private final Services services;
    private final Limits limits;

    private final java.util.List<RouteModule> modules;
    private final Optional<PortalAccess> portal;

    /**
     * Routes of a capability in a package of its own (the relay of chatwire listen), given the way
     * this API tells an account from its API key.
     */
    public interface RouteModule {
        void register(io.javalin.config.RoutesConfig routes,
                java.util.function.Function<Context, io.chatwire.account.Account> accountOf);
    }

    public Api(Services services, Limits limits) {
        this(services, limits, java.util.List.of());
    }

    public Api(Services services, Limits limits, java.util.List<RouteModule> modules) {
        this(services, limits, modules, Optional.empty());
    }

    /** With the customer portal (its pages, its sessions as callers), when given. */
    public Api(Services services, Limits limits, java.util.List<RouteModule> modules, Optional<PortalAccess> portal) {
        this.services = services;
        this.limits = limits;
        this.modules = java.util.List.copyOf(modules);
        this.portal = portal;
    }

    public Javalin create() {
        Auth auth = new Auth(services.accounts(), services.adminToken(), new AuthThrottle(limits.authFailureLimit()),
                new ClientAddresses(limits.trustedProxies()), services.metrics(), portal);
        SettingsRoutes settings = new SettingsRoutes(services, auth, limits.maxSettingsBytes());
        LiveLog live = new LiveLog(services.db(), services.clock(), limits.liveLog(), services.metrics());
        EventRoutes events = new EventRoutes(services, auth, limits.maxEventBytes(), new IngestLimiter(
                new RateLimiter(limits.ingestRate(), limits.ingestBurst()), services.db()),
                new OnDemandQuota(new RateLimiter(limits.onDemandRate(), limits.onDemandBurst()), services.metrics()),
                live);
        long maxBody = Math.max(limits.maxEventBytes(), limits.maxSettingsBytes());
        AnalyticsRoutes analytics = new AnalyticsRoutes(services, auth);
        TransformRoutes transforms = new TransformRoutes(services, auth, limits.maxSettingsBytes(),
                new OnDemandQuota(new RateLimiter(limits.onDemandRate(), limits.onDemandBurst()), services.metrics()));
        ChatDataRoutes chatData = new ChatDataRoutes(services, auth, settings, limits.maxSettingsBytes());
        byte[] openApi = loadOpenApi();
        return Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            // Live log streams hold their requests open: they end first, so that stopping does not wait on them.
            config.events.serverStopping(live::close);
            config.jsonMapper(new JavalinJackson(JSON, true));
            // Bodies are read under their own caps (Requests.body); this is only Jetty's outer bound.
            config.http.maxRequestSize = Math.max(limits.maxEventBytes(), limits.maxSettingsBytes()) + 1;
            config.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setRequestHeaderSize(16 * 1024);
            });
            // Refusals Jetty makes before any route (431 headers too large, 400 bad URI, ...) in our JSON shape.
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            slowClients(config.jetty);
            // The dashboard: static files from the classpath (resources/dashboard) at "/". Routes match
            // first; API paths never fall through to a file, so unknown ones keep their JSON 404.
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/dashboard";
                files.location = io.javalin.http.staticfiles.Location.CLASSPATH;
                files.skipFileFunction = req -> req.getRequestURI().startsWith("/v1/")
                        || req.getRequestURI().startsWith(ChatDataRoutes.PREFIX);
                files.headers = java.util.Map.of(
                        "Cache-Control", "no-cache",
                        "X-Content-Type-Options", "nosniff",
                        "Referrer-Policy", "no-referrer",
                        "X-Frame-Options", "DENY",
                        "Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "
                                + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                                + "form-action 'self'; frame-ancestors 'none'");
            });

            var r = config.routes;
            // A declared body past every cap is refused on every route, before authentication and
            // before anything is read (the routes that read a body apply their own, smaller caps).
            r.before(ctx -> {
                long declared = ctx.req().getContentLengthLong();
                if (declared > maxBody) {
                    throw new Problem.TooLarge("the body is " + declared + " bytes; the limit is " + maxBody);
                }
                // Ids and filters never hold control characters; PostgreSQL could not even compare them.
                Requests.requireCleanUri(ctx);
            });
            r.get("/healthz", ctx -> ctx.json(java.util.Map.of("status", "ok")));
            // Ready means this node can commit: a load balancer must not send events to a node that
            // would answer each with 503 (Readiness says how that is found out cheaply).
            r.get("/readyz", ctx -> {
                switch (services.readiness().check()) {
                    case Readiness.Ready _ -> ctx.json(java.util.Map.of("status", "ready"));
                    case Readiness.NotReady no -> ctx.status(503)
                            .json(java.util.Map.of("status", "not_ready", "reason", no.reason()));
                }
            });
            r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(services.metrics().scrape()));
            r.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
            settings.register(r);
            events.register(r);
            chatData.register(r);
            analytics.register(r);
            new EventTypeRoutes(io.chatwire.event.EventSchemas.bundled()).register(r);
            transforms.register(r);
            new HeldConversationRoutes(auth, new io.chatwire.ordering.HeldConversations(services.db(), services.clock()),
                    limits.maxSettingsBytes()).register(r);
            modules.forEach(m -> m.register(r, auth::requireAccount));
            portal.ifPresent(p -> {
                new PortalSessionRoutes(auth, p, limits.maxSettingsBytes()).register(r);
                p.install(config);
            });

            r.exception(Problem.class, (e, ctx) -> problem(ctx, e));
            r.exception(TransformRoutes.ExpressionRefused.class, (e, ctx) -> ctx.status(400).json(e.view));
            r.exception(StoreUnavailableException.class, (e, ctx) -> {
                log.warn("database unavailable: {}", e.getMessage());
                error(ctx, 503, "unavailable", "the database is unavailable; nothing was stored, try again shortly");
            });
            r.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), switch (e.getStatus()) {
                case 404 -> "not_found";
                case 405 -> "method_not_allowed";
                case 406 -> "not_acceptable";
                case 413 -> "payload_too_large";
                default -> "http_" + e.getStatus();
            }, e.getMessage()));
            r.exception(Exception.class, (e, ctx) -> {
                log.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
                error(ctx, 500, "internal_error", "something went wrong on our side; it has been logged");
            });
        });
    }

    /**
     * Slow clients: each request's headers must arrive within the header timeout (Jetty has no
     * such bound of its own), and past maxConnections Jetty stops accepting, leaving new clients in
     * the backlog, and shortens every held connection's idle timeout to the header timeout, so
     * trickling or idle connections cannot use up the file descriptors deliveries and the database
     * need. The connector is Javalin's default one but for its connection factory.
     */
    private void slowClients(JettyConfig jetty) {
        jetty.addConnector((server, http) -> {
            ServerConnector connector = new ServerConnector(server,
                    new HeaderDeadlineConnectionFactory(http, limits.headerTimeout()));
            // Read when the server starts, after Javalin.start(host, port) has set them.
            connector.setHost(jetty.host);
            connector.setPort(jetty.port);
            return connector;
        });
        jetty.modifyServer(server -> {
            NetworkConnectionLimit limit = new NetworkConnectionLimit(limits.maxConnections(), server);
            limit.setEndPointIdleTimeout(limits.headerTimeout().toMillis());
            server.addBean(limit);
        });
    }

    private static void problem(Context ctx, Problem p) {
        int status = switch (p) {
            case Problem.Invalid i -> 400;
            case Problem.Unauthorized u -> 401;
            case Problem.Forbidden f -> 403;
            case Problem.NotFound n -> 404;
            case Problem.Conflict c -> 409;
            case Problem.TooLarge t -> 413;
            case Problem.TooManyRequests t -> 429;
        };
        if (status == 401) {
            ctx.header("WWW-Authenticate", "Bearer");
        }
        if (p instanceof Problem.TooManyRequests t) {
            ctx.header("Retry-After", Long.toString(t.retryAfterSeconds()));
        }
        error(ctx, status, p.code(), p.getMessage());
    }

    /**
     * Writes a refusal. The Chat Data compatible routes answer in that API's shape,
     * {@code {"status": "error", "message"}}, so existing clients read it; the rest in ours.
     */
    static void error(Context ctx, int status, String code, String message) {
        if (ctx.path().startsWith(ChatDataRoutes.PREFIX)) {
            ctx.status(status).json(new Views.ChatDataError("error", message));
        } else {
            ctx.status(status).json(new Views.ErrorView(code, message));
        }
    }

    private static byte[] loadOpenApi() {
        try (InputStream in = Api.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the server's resources");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read openapi.json", e);
        }
    }
}
