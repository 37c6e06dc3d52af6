package io.chatwire.analytics;

/**
 * The fixed latency buckets of the per-endpoint daily aggregates. Fixed bounds let days and
 * endpoints be summed bucket by bucket; percentiles are then read off the combined counts.
 */
public final class LatencyHistogram {
    /** Upper bounds in milliseconds; the last bucket holds everything slower. */
    static final long[] BOUNDS = {10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000};
    public static final int BUCKETS = BOUNDS.length + 1;

    private LatencyHistogram() {
    }

    public static int bucketOf(long millis) {
        for (int i = 0; i < BOUNDS.length; i++) {
            if (millis <= BOUNDS[i]) {
                return i;
            }
        }
        return BOUNDS.length;
    }

    /**
     * The latency at quantile {@code q} (0..1), interpolated linearly inside its bucket; 0 when
     * there are no samples. The open last bucket reports its lower bound.
     */
    public static long percentile(long[] counts, double q) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return 0;
        }
        double rank = q * total;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0 && seen + counts[i] >= rank) {
                long lower = i == 0 ? 0 : BOUNDS[i - 1];
                if (i == BOUNDS.length) {
                    return lower;
                }
                double within = (rank - seen) / counts[i];
                return Math.round(lower + within * (BOUNDS[i] - lower));
            }
            seen += counts[i];
        }
        return BOUNDS[BOUNDS.length - 1];
    }
}
