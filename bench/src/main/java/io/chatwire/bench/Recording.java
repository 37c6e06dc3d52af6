package io.chatwire.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one phase saw, on one clock (System.nanoTime of the bench JVM): when each event was answered
 * 202 (load generator) and when each delivery arrived (receiver), keyed by the event id, which is
 * the webhook-id. A delivery can arrive before its 202 is read (the server dispatches right after
 * the commit, before it writes the answer); such latencies count as 0.
 */
final class Recording {
    enum Kind { HEALTHY, HANG, BACKLOG, OTHER }

    record Arrival(String eventId, String path, Kind kind, long nanos) {
    }

    final String name;
    final long startNanos = System.nanoTime();
    final Map<String, Long> accepted = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
    final LongAdder healthyArrivals = new LongAdder();
    final LongAdder hangArrivals = new LongAdder();
    final LongAdder expectedHealthy = new LongAdder();
    final LongAdder postErrors = new LongAdder();
    final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    /** Backlog deliveries per second since the start of the recording (not kept one by one). */
    final AtomicLongArray backlogPerSecond = new AtomicLongArray(3600);
    final LongAdder backlogArrivals = new LongAdder();
    volatile long loadStartNanos;
    volatile long loadEndNanos;
    final ConcurrentLinkedQueue<long[]> postLatencies = new ConcurrentLinkedQueue<>();

    Recording(String name) {
        this.name = name;
    }

    void arrive(String eventId, String path, Kind kind, long nanos) {
        switch (kind) {
            case BACKLOG -> {
                backlogArrivals.increment();
                int second = (int) ((nanos - startNanos) / 1_000_000_000L);
                if (second >= 0 && second < backlogPerSecond.length()) {
                    backlogPerSecond.incrementAndGet(second);
                }
                return;
            }
            case HEALTHY -> healthyArrivals.increment();
            case HANG -> hangArrivals.increment();
            default -> { }
        }
        arrivals.add(new Arrival(eventId, path, kind, nanos));
    }

    /** Latencies and counts of this phase's events, computed once the phase has drained. */
    record Analysis(long[] healthyLatencyNanos, long uniqueHealthy, long duplicates, long hangAttempts,
            long earlyArrivals, long lastHealthyArrivalNanos, long strays) {
    }

    Analysis analyse() {
        List<Long> lat = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long dup = 0;
        long hang = 0;
        long early = 0;
        long last = 0;
        long strays = 0;
        for (Arrival a : arrivals) {
            Long t202 = accepted.get(a.eventId());
            if (t202 == null) {
                strays++; // a retry of an earlier phase's event, or an event whose 202 was lost
                continue;
            }
            if (a.kind() == Kind.HANG) {
                hang++; // every attempt, retries included
                continue;
            }
            if (!seen.add(a.eventId() + '|' + a.path())) {
                dup++;
                continue;
            }
            long d = a.nanos() - t202;
            if (d < 0) {
                early++;
                d = 0;
            }
            lat.add(d);
            last = Math.max(last, a.nanos());
        }
        long[] l = lat.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Analysis(l, l.length, dup, hang, early, last, strays);
    }

    long[] postLatencyNanos() {
        int n = postLatencies.stream().mapToInt(a -> a.length).sum();
        long[] all = new long[n];
        int i = 0;
        for (long[] part : postLatencies) {
            System.arraycopy(part, 0, all, i, part.length);
            i += part.length;
        }
        java.util.Arrays.sort(all);
        return all;
    }
}
