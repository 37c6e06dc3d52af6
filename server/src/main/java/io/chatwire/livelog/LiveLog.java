package io.chatwire.livelog;

import io.chatwire.delivery.Attempt;
import io.chatwire.problem.Problem;
import io.chatwire.store.Database;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.sse.SseClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The account's attempt log as server-sent events: each new attempt an {@code attempt} event whose
 * {@code id:} a client sends back as {@code Last-Event-ID} to resume without a gap.
 *
 * <p>Every stream reads the database, about once a {@code pollInterval}: attempts made by any node of
 * a cluster are in the same table, so a stream shows them all, and nothing has to be told between
 * nodes. The read is cheap (the account's ids of the last few seconds, from an index; rows only for
 * new ids), and streams per account are capped. A comment goes out every {@code heartbeat}, which
 * keeps proxies from closing a quiet stream and is how a client that left is noticed (the write
 * fails) and its slot given back.
 *
 * <p>A stream holds its request's (virtual) thread until the client goes or the server stops.
 */
public final class LiveLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveLog.class);

    /**
     * @param streamsPerAccount open streams one account may hold on this node
     * @param lateness how long after its id's time an attempt may still become visible (commit delay
     *     and clock differences between nodes)
     * @param batch attempts looked at per read at most
     */
    public record Settings(int streamsPerAccount, Duration pollInterval, Duration heartbeat, Duration lateness,
            int batch) {
        public Settings {
            if (streamsPerAccount < 1) {
                throw new IllegalArgumentException("streamsPerAccount must be at least 1");
            }
        }

        public static Settings of(int streamsPerAccount, Duration heartbeat) {
            return new Settings(streamsPerAccount, Duration.ofSeconds(1), heartbeat, Duration.ofSeconds(10), 200);
        }
    }

    private final AttemptFeed feed;
    private final Clock clock;
    private final Settings settings;
    /** Open streams per account; an account with none has no entry. */
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Counter refused;

    public LiveLog(Database db, Clock clock, Settings settings, MeterRegistry metrics) {
        this.feed = new AttemptFeed(db);
        this.clock = clock;
        this.settings = settings;
        Gauge.builder("chatwire.live.streams", total, AtomicInteger::get)
                .description("Live delivery log streams open on this node").register(metrics);
        this.refused = Counter.builder("chatwire.live.streams.refused")
                .description("Live delivery log streams refused because the account had as many open as allowed")
                .register(metrics);
    }

    /**
     * Serves one stream of the account's attempts on the calling thread until the client leaves or
     * the server stops. Refusals (a bad Last-Event-ID, too many streams) come before anything is sent,
     * as ordinary JSON errors.
     *
     * @param view the JSON shape of an attempt, as the attempt list writes it
     */
    public void serve(Context ctx, String accountId, LiveFilter filter, Function<Attempt, Object> view) {
        requireEventStreamAccepted(ctx);
        StreamPosition position = StreamPosition.resume(lastEventId(ctx), clock.instant(), settings.lateness());
        admit(accountId);
        try {
            start(ctx.res());
            SseClient client = new SseClient(ctx);
            client.sendComment("chatwire live delivery log");
            Instant lastWrite = clock.instant();
            while (!client.terminated() && stopping.getCount() > 0) {
                List<StreamPosition.Step> steps = read(position, accountId, filter);
                for (StreamPosition.Step step : steps) {
                    client.sendEvent("attempt", view.apply(step.attempt()), step.resumeFrom());
                }
                if (!steps.isEmpty()) {
                    lastWrite = clock.instant();
                } else if (!clock.instant().isBefore(lastWrite.plus(settings.heartbeat()))) {
                    client.sendComment("heartbeat");
                    lastWrite = clock.instant();
                }
                if (!position.behind()) {
                    stopping.await(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            release(accountId);
        }
    }

    private List<StreamPosition.Step> read(StreamPosition position, String accountId, LiveFilter filter) {
        try {
            return position.next(feed, accountId, filter, settings.batch());
        } catch (RuntimeException e) {
            // The database may be away for a moment: the position has not moved, so the next read
            // picks up where this one failed, and the heartbeats keep the stream open meanwhile.
            log.debug("live log read failed; retrying: {}", e.toString());
            return List.of();
        }
    }

    /**
     * A stream goes only to a client that asks for one (EventSource always does): any other client
     * would wait for a JSON answer that never ends.
     */
    static void requireEventStreamAccepted(Context ctx) {
        boolean accepted = Collections.list(ctx.req().getHeaders("Accept")).stream()
                .flatMap(v -> java.util.Arrays.stream(v.split(",")))
                .map(v -> v.split(";")[0].strip().toLowerCase(java.util.Locale.ROOT))
                .anyMatch("text/event-stream"::equals);
        if (!accepted) {
            throw new HttpResponseException(406, "this route answers with server-sent events: send Accept: text/event-stream");
        }
    }

    private static Optional<String> lastEventId(Context ctx) {
        List<String> values = Collections.list(ctx.req().getHeaders("Last-Event-ID"));
        if (values.size() > 1) {
            throw new Problem.Invalid("doubled_header", "send the Last-Event-ID header once");
        }
        return values.stream().map(String::strip).filter(v -> !v.isEmpty()).findFirst();
    }

    private void admit(String accountId) {
        boolean[] admitted = {false};
        open.compute(accountId, (k, n) -> {
            int held = n == null ? 0 : n;
            if (held >= settings.streamsPerAccount()) {
                return n;
            }
            admitted[0] = true;
            return held + 1;
        });
        if (!admitted[0]) {
            refused.increment();
            // A stream whose client left is noticed at its next heartbeat; by then a slot is free.
            throw new Problem.TooManyRequests("too_many_streams", "this account already has "
                    + settings.streamsPerAccount() + " live log streams open on this server: close one (or wait until a"
                    + " closed one is noticed), then retry after the Retry-After header's seconds",
                    settings.heartbeat().multipliedBy(2));
        }
        total.incrementAndGet();
    }

    private void release(String accountId) {
        open.computeIfPresent(accountId, (k, n) -> n <= 1 ? null : n - 1);
        total.decrementAndGet();
    }

    private static void start(HttpServletResponse res) {
        res.setStatus(200);
        res.setCharacterEncoding("UTF-8");
        res.setContentType("text/event-stream");
        res.setHeader("Cache-Control", "no-cache");
        // Reverse proxies (nginx) would otherwise hold events back in their buffer.
        res.setHeader("X-Accel-Buffering", "no");
        try {
            res.flushBuffer();
        } catch (IOException clientGone) {
            // The first write fails as well and ends the stream.
        }
    }

    /** Ends every stream (at shutdown): each loop sees it at once rather than after its next read. */
    @Override
    public void close() {
        stopping.countDown();
    }
}
