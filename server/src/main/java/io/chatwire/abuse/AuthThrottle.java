package io.chatwire.abuse;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Makes failed authentications (a token presented and not valid) costly for the address they come
 * from, and only them: it is asked after a token was found invalid, never before a valid one is
 * served, so a valid credential is never refused because someone else (behind the same NAT or proxy)
 * failed.
 *
 * <p>An address may fail {@code limit} times a minute for free (typos, a revoked key). Past that, each
 * failure is answered with a penalty that doubles from one second up to {@link #MAX_PENALTY}, and a
 * failure while a penalty runs doubles it again: a client that honours Retry-After gets a handful
 * more tries an hour, one that ignores it only lengthens its own penalty. An address is forgiven
 * after a minute without a failure once its penalty has ended.
 *
 * <p>Addresses are counted as clients hold them: an IPv4 address alone, an IPv6 address by its /64
 * (one subscriber's network, which an attacker can spray freely). The map is bounded: past
 * {@code maxKeys} addresses, forgiven ones are dropped (at most once a second, so that a spraying
 * attacker cannot make every request scan the map), and while it stays full, new addresses share one
 * record: an attacker spraying addresses is throttled as one, and can neither grow the map nor wipe
 * the records of the addresses already throttled.
 */
public final class AuthThrottle {
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final Duration FIRST_PENALTY = Duration.ofSeconds(1);
    static final Duration MAX_PENALTY = Duration.ofMinutes(15);
    static final String OVERFLOW = "overflow";
    private static final long PRUNE_EVERY = Duration.ofSeconds(1).toNanos();

    private final int limit;
    private final int maxKeys;
    private final LongSupplier nanoTime;
    private final long windowNanos = WINDOW.toNanos();
    private final ConcurrentHashMap<String, Record> records = new ConcurrentHashMap<>();
    private final AtomicLong lastPrune;

    /** What a failed authentication is answered with. */
    public sealed interface Verdict {
        /** Within the free failures: answer 401 as usual. */
        record Unthrottled() implements Verdict {
        }

        /** Past them: answer 429, and ask the client to wait this long. */
        record Throttled(Duration retryAfter) implements Verdict {
        }
    }

    /**
     * One address's failures: those of the window that began with its first failure, then its
     * penalties (strikes) and until when the last one runs (while there is none: the window's start,
     * so that an address without a penalty is forgiven when its window ends).
     */
    private record Record(long windowStart, int failures, int strikes, long blockedUntil) {
        boolean forgiven(long now, long window) {
            return now - windowStart >= window && now - blockedUntil >= window;
        }
    }

    public AuthThrottle(int limit, int maxKeys, LongSupplier nanoTime) {
        this.limit = limit;
        this.maxKeys = maxKeys;
        this.nanoTime = nanoTime;
        this.lastPrune = new AtomicLong(nanoTime.getAsLong() - PRUNE_EVERY);
    }

    /** @param limit free failures a minute per address; 0 turns the throttle off */
    public AuthThrottle(int limit) {
        this(limit, 100_000, System::nanoTime);
    }

    /** Notes one failed authentication from the client, and says how to answer it. */
    public Verdict failed(InetAddress client) {
        if (limit <= 0) {
            return new Verdict.Unthrottled();
        }
        long now = nanoTime.getAsLong();
        Record r = records.compute(keyFor(keyOf(client), now), (k, old) -> next(old, now));
        return r.strikes() == 0 ? new Verdict.Unthrottled()
                : new Verdict.Throttled(Duration.ofNanos(r.blockedUntil() - now));
    }

    private Record next(Record old, long now) {
        if (old == null || old.forgiven(now, windowNanos)) {
            return new Record(now, 1, 0, now); // a new window (limit is at least 1 here)
        }
        Record counted = new Record(old.windowStart(), old.failures() + 1, old.strikes(), old.blockedUntil());
        // Once penalised, an address has no free failures left until it is forgiven.
        return counted.strikes() > 0 || counted.failures() > limit ? struck(counted, now) : counted;
    }

    private static Record struck(Record r, long now) {
        int strikes = r.strikes() + 1;
        long penalty = Math.min(MAX_PENALTY.toNanos(), FIRST_PENALTY.toNanos() << Math.min(strikes - 1, 20));
        return new Record(r.windowStart(), r.failures(), strikes, now + penalty);
    }

    /**
     * The address's own record, or the shared one while the map is full of addresses not yet forgiven
     * (one place is kept for the shared record).
     */
    private String keyFor(String key, long now) {
        if (records.size() < maxKeys - 1 || records.containsKey(key)) {
            return key;
        }
        long last = lastPrune.get();
        if (now - last >= PRUNE_EVERY && lastPrune.compareAndSet(last, now)) {
            records.entrySet().removeIf(e -> e.getValue().forgiven(now, windowNanos));
        }
        return records.size() < maxKeys - 1 ? key : OVERFLOW;
    }

    /** An IPv4 address as it is; an IPv6 address by its /64. */
    static String keyOf(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] prefix = java.util.Arrays.copyOf(address.getAddress(), 8);
            return HexFormat.of().formatHex(prefix) + "/64";
        }
        return address.getHostAddress();
    }

    int size() {
        return records.size();
    }
}
