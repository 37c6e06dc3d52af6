package io.chatwire.portal;

import io.chatwire.account.AccountStore;
import io.chatwire.account.Tokens;
import io.chatwire.api.PortalAccess;
import io.chatwire.endpoint.EndpointStore;
import io.chatwire.event.EventStore;
import io.chatwire.network.Cidr;
import io.chatwire.problem.Problem;
import io.chatwire.store.Database;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.FilterHolder;

/**
 * The customer portal: the dashboard at {@code /portal/}, opened through a one-time link the operator
 * asks for, in a session held by an HttpOnly cookie scoped to {@code /portal}. The dashboard's API
 * calls go to {@code /portal/api/v1/...} with that cookie and a CSRF token; each is answered as the
 * account (or the one chatbot) the session is for, read-only when the link said so.
 */
public final class Portal implements PortalAccess {
    static final String COOKIE = "chatwire_portal";
    static final String CSRF_HEADER = "X-Chatwire-CSRF";

    /** How the portal is reached from outside, and by whom it may be framed. */
    public record Settings(FrameAncestors frameAncestors, Optional<URI> publicUrl, List<Cidr> trustedProxies) {
        public Settings {
            trustedProxies = List.copyOf(trustedProxies);
        }
    }

    record SessionView(String accountId, Optional<String> chatbotId, boolean readOnly, Instant expiresAt,
            String csrfToken) {
    }

    private final PortalSessionStore sessions;
    private final AccountStore accounts;
    private final ChatbotScope scope;
    private final Clock clock;
    private final Settings settings;
    private final Map<String, String> pageHeaders;
    private final byte[] dashboard;

    public Portal(Database db, AccountStore accounts, EndpointStore endpoints, EventStore events, Clock clock,
            Settings settings) {
        this.sessions = new PortalSessionStore(db, clock);
        this.accounts = accounts;
        this.scope = new ChatbotScope(endpoints, events);
        this.clock = clock;
        this.settings = settings;
        this.pageHeaders = pageHeaders(settings.frameAncestors());
        this.dashboard = resource("/dashboard/index.html");
    }

    /**
     * The dashboard's own headers, but framing allowed to the operator's origins only, and logos
     * from https: (see PortalTheme). X-Frame-Options cannot name origins: it is sent only when no
     * origin may frame the portal (browsers that know frame-ancestors ignore it).
     */
    private static Map<String, String> pageHeaders(FrameAncestors ancestors) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Cache-Control", "no-store");
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Referrer-Policy", "no-referrer");
        if (ancestors.none()) {
            h.put("X-Frame-Options", "DENY");
        }
        h.put("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "
                + "img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                + "form-action 'self'; frame-ancestors " + ancestors.directive());
        return Map.copyOf(h);
    }

    @Override
    public boolean onPortalPath(Context ctx) {
        return Boolean.TRUE.equals(ctx.req().getAttribute(PortalPaths.MARK));
    }

    @Override
    public Caller caller(Context ctx) {
        String cookie = cookie(ctx).orElseThrow(Portal::ended);
        PortalSession session = sessions.bySession(cookie).orElseThrow(Portal::ended);
        if (isWrite(ctx)) {
            if (session.readOnly()) {
                throw new Problem.Forbidden("read_only_session", "this portal session can only look, not change anything");
            }
            requireCsrf(ctx, cookie);
        }
        session.chatbotId().ifPresent(chatbot -> scope.check(ctx, session.accountId(), chatbot));
        return new Caller(accounts.get(session.accountId()), session.chatbotId());
    }

    @Override
    public Link open(Context ctx, LinkRequest request) {
        String theme = PortalTheme.query(request.theme());
        var link = sessions.create(request.accountId(), request.chatbotId(), request.readOnly(), request.ttl());
        return new Link(base(ctx) + PortalPaths.PORTAL + "/?token=" + link.token() + theme, link.expiresAt());
    }

    @Override
    public int revokeAll(String accountId) {
        return sessions.revokeAll(accountId);
    }

    @Override
    public void install(JavalinConfig config) {
        config.jetty.modifyServletContextHandler(handler -> handler.addFilter(new FilterHolder(new PortalPaths()),
                PortalPaths.API + "/*", EnumSet.of(DispatcherType.REQUEST)));
        config.staticFiles.add(files -> {
            files.hostedPath = PortalPaths.PORTAL;
            files.directory = "/dashboard";
            files.location = Location.CLASSPATH;
            files.skipFileFunction = req -> req.getRequestURI().startsWith(PortalPaths.API + "/");
            files.headers = pageHeaders;
        });
        var r = config.routes;
        r.get(PortalPaths.PORTAL + "/", this::page);
        r.get(PortalPaths.PORTAL + "/session", this::session);
        r.post(PortalPaths.PORTAL + "/sign-out", this::signOut);
    }

    /** The link's first load makes the session; any other load with a token is refused. */
    private void page(Context ctx) {
        pageHeaders.forEach(ctx::header);
        if (!ctx.path().endsWith("/")) {
            // The page's relative assets and its portal mode both need the trailing slash.
            String query = ctx.queryString();
            ctx.redirect(PortalPaths.PORTAL + "/" + (query == null ? "" : "?" + query), io.javalin.http.HttpStatus.SEE_OTHER);
            return;
        }
        String token = ctx.queryParam("token");
        if (token == null) {
            ctx.contentType("text/html; charset=utf-8").result(dashboard);
            return;
        }
        switch (sessions.exchange(token)) {
            case PortalSessionStore.Exchange.Started started -> {
                ctx.header("Set-Cookie", cookieHeader(ctx, started.cookie(),
                        Duration.between(clock.instant(), started.session().expiresAt())));
                // The token leaves the address bar (and the history) at once; the theme stays.
                ctx.redirect(PortalPaths.PORTAL + "/" + PortalTheme.query(ctx), io.javalin.http.HttpStatus.SEE_OTHER);
            }
            case PortalSessionStore.Exchange.Refused refused -> ctx.status(410)
                    .contentType("text/html; charset=utf-8").result(RefusedPage.HTML);
        }
    }

    private void session(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        String cookie = cookie(ctx).orElseThrow(Portal::ended);
        PortalSession s = sessions.bySession(cookie).orElseThrow(Portal::ended);
        ctx.json(new SessionView(s.accountId(), s.chatbotId(), s.readOnly(), s.expiresAt(), csrfToken(cookie)));
    }

    private void signOut(Context ctx) {
        Optional<String> cookie = cookie(ctx);
        if (cookie.isPresent() && sessions.bySession(cookie.get()).isPresent()) {
            requireCsrf(ctx, cookie.get());
            sessions.end(cookie.get());
        }
        ctx.header("Set-Cookie", cookieHeader(ctx, "", Duration.ZERO));
        ctx.status(204);
    }

    /**
     * Over TLS the cookie must reach a frame on another site, so it is SameSite=None, Secure and
     * Partitioned (kept per embedding site, so it still works where third-party cookies are blocked).
     * Over plain HTTP, browsers drop SameSite=None cookies, so it is Strict: enough for a page and
     * portal on the same site, such as two loopback ports in development.
     */
    private String cookieHeader(Context ctx, String value, Duration maxAge) {
        String common = COOKIE + "=" + value + "; Path=" + PortalPaths.PORTAL + "; Max-Age="
                + Math.max(0, maxAge.toSeconds()) + "; HttpOnly";
        return isHttps(ctx) ? common + "; Secure; SameSite=None; Partitioned" : common + "; SameSite=Strict";
    }

    private boolean isHttps(Context ctx) {
        if (ctx.req().isSecure() || settings.publicUrl().map(u -> "https".equals(u.getScheme())).orElse(false)) {
            return true;
        }
        return fromTrustedProxy(ctx) && "https".equalsIgnoreCase(
                Optional.ofNullable(ctx.header("X-Forwarded-Proto")).map(v -> v.split(",")[0].strip()).orElse(""));
    }

    private boolean fromTrustedProxy(Context ctx) {
        try {
            InetAddress peer = InetAddress.ofLiteral(ctx.req().getRemoteAddr());
            return settings.trustedProxies().stream().anyMatch(c -> c.contains(peer));
        } catch (IllegalArgumentException notALiteral) {
            return false;
        }
    }

    /** Where the browser reaches this server: CHATWIRE_PUBLIC_URL, or else as the operator's call came in. */
    private String base(Context ctx) {
        return settings.publicUrl().map(u -> u.toString().replaceAll("/+$", ""))
                .orElseGet(() -> (isHttps(ctx) ? "https" : "http") + "://" + ctx.host());
    }

    /**
     * A cookie-authenticated change must carry the session's CSRF token (which only a page of the
     * portal can read, from /portal/session) and, when the browser says where it comes from, come
     * from the portal's own origin.
     */
    private void requireCsrf(Context ctx, String cookie) {
        String token = ctx.header(CSRF_HEADER);
        if (token == null || !Tokens.same(token, csrfToken(cookie))) {
            throw new Problem.Forbidden("csrf", "send the portal session's CSRF token in " + CSRF_HEADER);
        }
        String origin = ctx.header("Origin");
        if (origin != null && !isOwnOrigin(ctx, origin)) {
            throw new Problem.Forbidden("csrf", "cross-origin changes are refused");
        }
    }

    private boolean isOwnOrigin(Context ctx, String origin) {
        String authority;
        try {
            authority = URI.create(origin).getRawAuthority();
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (authority == null) {
            return false;
        }
        String a = authority.toLowerCase(Locale.ROOT);
        return a.equals(String.valueOf(ctx.host()).toLowerCase(Locale.ROOT))
                || settings.publicUrl().map(u -> a.equalsIgnoreCase(u.getRawAuthority())).orElse(false);
    }

    /** Derived from the cookie, so nothing more is stored, and useless without it. */
    private static String csrfToken(String cookie) {
        return Tokens.hash("csrf:" + cookie);
    }

    private static boolean isWrite(Context ctx) {
        return ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD && ctx.method() != HandlerType.OPTIONS;
    }

    private static Optional<String> cookie(Context ctx) {
        return Optional.ofNullable(ctx.cookie(COOKIE)).filter(v -> !v.isEmpty());
    }

    private static Problem ended() {
        return new Problem.Unauthorized("the portal session has expired or was signed out: open the portal again");
    }

    private static byte[] resource(String name) {
        try (InputStream in = Portal.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the server's resources");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }
}
