package io.chatwire.api;

import io.chatwire.abuse.RateLimiter;
import io.chatwire.account.Account;
import io.chatwire.problem.Problem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The per-account quota on sending on demand (test event, resend, recover): each sends a request to a
 * URL the account chose, so without it an account could use Chatwire to flood any address. One token
 * bucket per account ({@code CHATWIRE_ON_DEMAND_RATE} a second, {@code _BURST} saved up) shared by
 * all three; refusals are counted per kind in {@code chatwire_on_demand_refused_total}. Previews of
 * filters and transforms (up to a second of CPU each) have a quota of their own, of the same size.
 *
 * <p>A request is admitted while the account has a send left, before anything is stored. A recover
 * resends however many deliveries had failed, known only once done: it is then {@link #charge charged}
 * for each of them, so the account may owe sends and waits until it has paid them back.
 */
final class OnDemandQuota {
    enum Kind {
        TEST, RESEND, RECOVER, PREVIEW;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final RateLimiter limiter;
    private final Map<Kind, Counter> refused = new EnumMap<>(Kind.class);

    OnDemandQuota(RateLimiter limiter, MeterRegistry metrics) {
        this.limiter = limiter;
        for (Kind kind : Kind.values()) {
            // Registered up front, so that the series exist (at 0) before the first refusal.
            refused.put(kind, Counter.builder("chatwire.on.demand.refused").tag("kind", kind.wireName())
                    .description("On-demand sends (test, resend, recover) refused by the account's quota")
                    .register(metrics));
        }
    }

    /** Takes one send of the account's quota, or refuses with 429 and when to try again. */
    void admit(Account account, Kind kind) {
        Optional<Duration> wait = limiter.tryAcquire(account.id());
        if (wait.isPresent()) {
            refused.get(kind).increment();
            throw new Problem.TooManyRequests("rate_limited", kind == Kind.PREVIEW
                    ? "this account runs previews faster than its quota allows; nothing was run: retry after the"
                            + " Retry-After header's seconds"
                    : "this account sends on demand (test events, resends, recovered deliveries) faster than its"
                            + " quota allows; nothing was sent or stored: retry after the Retry-After header's seconds",
                    wait.get());
        }
    }

    /** Charges sends already made beyond the one {@link #admit} took (a recover's further deliveries). */
    void charge(Account account, long sends) {
        limiter.charge(account.id(), sends);
    }
}
