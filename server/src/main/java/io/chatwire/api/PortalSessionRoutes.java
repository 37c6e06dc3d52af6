package io.chatwire.api;

import io.chatwire.delivery.RetryPolicy;
import io.chatwire.problem.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Set;

/**
 * The operator's portal routes: a one-time link into the dashboard for one account (or one chatbot of
 * it), and the revocation of all of an account's portal sessions.
 */
final class PortalSessionRoutes {
    /**
     * Shorter, and the link could run out while a slow page is still loading it; longer, and a session
     * left open in a shared browser outlives a working day. Platforms make a new session each time
     * their Settings tab opens, which is cheap.
     */
    static final Duration MIN_TTL = Duration.ofSeconds(10);
    static final Duration MAX_TTL = Duration.ofHours(12);
    static final Duration DEFAULT_TTL = Duration.ofMinutes(15);

    record LinkView(String url, java.time.Instant expiresAt) {
    }

    record RevokedView(int revoked) {
    }

    private final Auth auth;
    private final PortalAccess portal;
    private final long maxBody;

    PortalSessionRoutes(Auth auth, PortalAccess portal, long maxBody) {
        this.auth = auth;
        this.portal = portal;
        this.maxBody = maxBody;
    }

    void register(RoutesConfig r) {
        r.post("/v1/accounts/{accountId}/portal-sessions", this::open);
        r.delete("/v1/accounts/{accountId}/portal-sessions", this::revoke);
    }

    private void open(Context ctx) {
        auth.requireOperator(ctx);
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), Set.of("ttl", "read_only", "chatbot_id",
                "brand_color", "logo_url", "hide_header", "appearance"));
        Duration ttl = body.optionalString("ttl").map(PortalSessionRoutes::ttl).orElse(DEFAULT_TTL);
        var theme = new PortalAccess.Theme(body.optionalString("brand_color"), body.optionalString("logo_url"),
                body.optionalBoolean("hide_header").orElse(false), body.optionalString("appearance"));
        var link = portal.open(ctx, new PortalAccess.LinkRequest(ctx.pathParam("accountId"), ttl,
                body.optionalBoolean("read_only").orElse(false), body.optionalString("chatbot_id"), theme));
        // The url holds a live credential until its first load.
        ctx.header("Cache-Control", "no-store");
        ctx.status(201).json(new LinkView(link.url(), link.expiresAt()));
    }

    private void revoke(Context ctx) {
        auth.requireOperator(ctx);
        ctx.json(new RevokedView(portal.revokeAll(ctx.pathParam("accountId"))));
    }

    static Duration ttl(String text) {
        Duration ttl;
        try {
            ttl = RetryPolicy.parseDuration(text.strip());
        } catch (IllegalArgumentException e) {
            throw new Problem.Invalid("invalid_field", "ttl: " + e.getMessage());
        }
        if (ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0) {
            throw new Problem.Invalid("invalid_field", "ttl must be from 10s to 12h (got " + text.strip() + ")");
        }
        return ttl;
    }
}
