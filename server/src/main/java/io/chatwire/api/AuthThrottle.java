package io.chatwire.api;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Counts failed authentications (a token presented and not valid) per source address in a fixed
 * window. Once an address has failed {@code limit} times in the window, every request from it that
 * carries credentials is refused with 429 until the window ends, before its token is even looked at.
 * The answer is the same whatever the token, so it tells nothing about whether an account or key
 * exists; and the database is spared the lookups of a guessing run.
 *
 * <p>Behind a reverse proxy every client has the proxy's address; raise the limit or set it to 0
 * (off) there. The map is bounded: past {@code maxKeys} addresses, entries of ended windows go.
 */
final class AuthThrottle {
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final int limit;
    private final long windowNanos;
    private final int maxKeys;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    private record Window(long startedAt, int failures) {
    }

    AuthThrottle(int limit, Duration window, int maxKeys, LongSupplier nanoTime) {
        this.limit = limit;
        this.windowNanos = window.toNanos();
        this.maxKeys = maxKeys;
        this.nanoTime = nanoTime;
    }

    /** @param limit failures per minute per address before it is refused; 0 turns the throttle off */
    AuthThrottle(int limit) {
        this(limit, WINDOW, 100_000, System::nanoTime);
    }

    /** How long the address is still refused, if it is. */
    Optional<Duration> blocked(String address) {
        if (limit <= 0) {
            return Optional.empty();
        }
        Window w = windows.get(address);
        long now = nanoTime.getAsLong();
        if (w == null || w.failures() < limit || now - w.startedAt() >= windowNanos) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(windowNanos - (now - w.startedAt())));
    }

    /** Notes one failed authentication from the address. */
    void failed(String address) {
        if (limit <= 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (windows.size() >= maxKeys && !windows.containsKey(address)) {
            windows.values().removeIf(w -> now - w.startedAt() >= windowNanos);
            if (windows.size() >= maxKeys) {
                windows.clear(); // a flood of addresses: start over rather than grow without bound
            }
        }
        windows.merge(address, new Window(now, 1), (old, one) -> now - old.startedAt() >= windowNanos
                ? one : new Window(old.startedAt(), old.failures() + 1));
    }

    int size() {
        return windows.size();
    }
}
