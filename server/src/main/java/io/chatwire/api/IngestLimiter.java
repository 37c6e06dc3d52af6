package io.chatwire.api;

import io.chatwire.abuse.RateLimiter;
import io.chatwire.endpoint.EndpointStore;
import io.chatwire.problem.Problem;
import io.chatwire.store.Database;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-account ingest rate limit: a token bucket per account (see {@link RateLimiter}), the
 * account found from the event's {@code chatbot_id}. Which account owns a chatbot is remembered for a
 * few minutes (a chatbot id changes owner only if deleted and made again by another account), so the
 * hot path costs one map lookup. An unknown chatbot is not limited here: the intake refuses it.
 */
final class IngestLimiter {
    private static final Duration OWNER_TTL = Duration.ofMinutes(5);
    private static final int MAX_OWNERS = 100_000;

    private final RateLimiter limiter;
    private final Database db;
    private final ConcurrentHashMap<String, Owner> owners = new ConcurrentHashMap<>();

    private record Owner(String accountId, long until) {
    }

    IngestLimiter(RateLimiter limiter, Database db) {
        this.limiter = limiter;
        this.db = db;
    }

    /** Takes a token of the chatbot's account, or refuses with 429 and when to try again. */
    void admit(String chatbotId) {
        if (limiter.isUnlimited()) {
            return;
        }
        Optional<String> account = ownerOf(chatbotId);
        if (account.isEmpty()) {
            return;
        }
        Optional<Duration> wait = limiter.tryAcquire(account.get());
        if (wait.isPresent()) {
            throw new Problem.TooManyRequests("rate_limited",
                    "this account's events arrive faster than its ingest rate limit; slow down and retry after the"
                            + " Retry-After header's seconds (nothing was stored)", wait.get());
        }
    }

    private Optional<String> ownerOf(String chatbotId) {
        long now = System.nanoTime();
        Owner known = owners.get(chatbotId);
        if (known != null && now - known.until() < 0) {
            return Optional.of(known.accountId());
        }
        Optional<String> account = db.read(c -> EndpointStore.findChatbot(c, chatbotId)).map(b -> b.accountId());
        if (account.isPresent()) {
            if (owners.size() >= MAX_OWNERS) {
                owners.values().removeIf(o -> now - o.until() >= 0);
                if (owners.size() >= MAX_OWNERS) {
                    owners.clear();
                }
            }
            owners.put(chatbotId, new Owner(account.get(), now + OWNER_TTL.toNanos()));
        }
        return account;
    }
}
