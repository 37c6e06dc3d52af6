package io.chatwire.api;

import io.chatwire.account.Account;
import io.chatwire.ordering.ConversationOrder;
import io.chatwire.ordering.HeldConversations;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * The conversations of an ordered endpoint held behind a head not yet delivered, and their release
 * (the head ends as failed, the rest go on). Scoped to the caller's account: another account's
 * endpoint is a 404.
 */
final class HeldConversationRoutes {
    private final Auth auth;
    private final HeldConversations held;
    private final long maxBody;

    HeldConversationRoutes(Auth auth, HeldConversations held, long maxBody) {
        this.auth = auth;
        this.held = held;
        this.maxBody = maxBody;
    }

    void register(RoutesConfig r) {
        r.get("/v1/endpoints/{endpointId}/held-conversations", this::list);
        r.post("/v1/endpoints/{endpointId}/held-conversations/release", this::release);
    }

    record HeadView(String deliveryId, long position, int attempts, Optional<Instant> nextAttemptAt) {
    }

    record HeldView(String conversationId, long waiting, Instant heldSince, HeadView head) {
        static HeldView of(HeldConversations.Held h) {
            HeldConversations.Head head = h.head();
            return new HeldView(h.conversationId(), h.waiting(), h.heldSince(),
                    new HeadView(head.deliveryId(), head.position(), head.attempts(), head.nextAttemptAt()));
        }
    }

    record ReleasedView(String conversationId, String deliveryId, long position) {
    }

    private void list(Context ctx) {
        Account account = auth.requireAccount(ctx);
        int limit = Requests.limit(ctx);
        ctx.json(new Views.Page<>(held.ofEndpoint(account.id(), ctx.pathParam("endpointId"), limit).stream()
                .map(HeldView::of).toList(), Optional.empty()));
    }

    private void release(Context ctx) {
        Account account = auth.requireAccount(ctx);
        JsonBody body = JsonBody.parse(Requests.body(ctx, maxBody), Set.of("conversation_id"));
        String conversation = body.requiredString("conversation_id");
        ConversationOrder.Released released = held.release(account.id(), ctx.pathParam("endpointId"), conversation);
        ctx.json(new ReleasedView(conversation, released.deliveryId(), released.position()));
    }
}
