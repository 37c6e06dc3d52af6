package io.chatwire.abuse;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per key (per account, for ingest and for on-demand sends): {@code rate} tokens a
 * second, at most {@code burst} saved up. Kept in memory per node, so a cluster of n nodes admits up
 * to n times the rate; that is the intent (the limit protects a node, its database writer and the
 * targets it sends to, not a billing quota).
 *
 * <p>Work whose size is known only once done (a recover resends however many deliveries had failed)
 * is {@link #charge charged} afterwards: the bucket may go below zero, and the key then waits until
 * it has paid that back, so over time the rate holds for it too.
 *
 * <p>The map is bounded: past {@code maxKeys} buckets, full (idle) ones are dropped, which loses
 * nothing since a new bucket starts full.
 */
public final class RateLimiter {
    private final double ratePerNano;
    private final double burst;
    private final int maxKeys;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private final class Bucket {
        private double tokens = burst;
        private long refilledAt = nanoTime.getAsLong();

        /** Takes a token, or says how many nanoseconds until one is there. */
        synchronized long take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / ratePerNano);
        }

        synchronized void charge(long now, long permits) {
            refill(now);
            tokens -= permits;
        }

        synchronized boolean isFull(long now) {
            refill(now);
            return tokens >= burst;
        }

        private void refill(long now) {
            if (now > refilledAt) {
                tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerNano);
                refilledAt = now;
            }
        }
    }

    /**
     * @param ratePerSecond tokens added per second; 0 means no limit
     * @param burst the most tokens a bucket holds (at least 1)
     */
    public RateLimiter(double ratePerSecond, int burst, int maxKeys, LongSupplier nanoTime) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = Math.max(1, burst);
        this.maxKeys = maxKeys;
        this.nanoTime = nanoTime;
    }

    public RateLimiter(double ratePerSecond, int burst) {
        this(ratePerSecond, burst, 100_000, System::nanoTime);
    }

    public boolean isUnlimited() {
        return ratePerNano <= 0;
    }

    /** Empty when the request may go ahead (a token was taken); else how long until it may. */
    public Optional<Duration> tryAcquire(String key) {
        if (isUnlimited()) {
            return Optional.empty();
        }
        long now = nanoTime.getAsLong();
        long wait = bucket(key, now).take(now);
        return wait == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(wait));
    }

    /** Takes {@code permits} tokens for work already done, going below zero if need be. */
    public void charge(String key, long permits) {
        if (isUnlimited() || permits <= 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        bucket(key, now).charge(now, permits);
    }

    private Bucket bucket(String key, long now) {
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= maxKeys) {
                buckets.values().removeIf(b -> b.isFull(now));
            }
            bucket = buckets.computeIfAbsent(key, k -> new Bucket());
        }
        return bucket;
    }

    int size() {
        return buckets.size();
    }
}
