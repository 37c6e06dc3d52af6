package io.chatwire.livelog;

import io.chatwire.delivery.Attempt;
import io.chatwire.problem.Problem;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * How far one stream has read the account's attempt log.
 *
 * <p>Attempt ids are UUIDv7, so they sort by the time their node made them; but an attempt becomes
 * visible only when its transaction commits, a moment later, and nodes' clocks differ a little. An
 * attempt with a lower id than one already streamed can therefore still appear. So the stream reads
 * everything past a floor {@code lateness} before its cursor (the highest id it has looked at), and
 * remembers which ids in that window it has already looked at: a late attempt is sent when it shows
 * up, and none is sent twice by the same stream. The window costs a scan of the account's ids over
 * those few seconds, from the index alone.
 */
final class StreamPosition {
    private static final Pattern ATTEMPT_ID = Pattern.compile("att_[0-9a-f]{32}");
    private static final String PREFIX = "att_";

    private final Duration lateness;
    private String cursor;
    private final TreeSet<String> looked = new TreeSet<>();
    private boolean behind;

    private StreamPosition(String cursor, Duration lateness) {
        this.cursor = cursor;
        this.lateness = lateness;
    }

    /**
     * From a client's {@code Last-Event-ID} (the position it had read to), or, without one, from now:
     * either way the stream starts with the attempts of the last {@code lateness}, which the client
     * may already have (ids tell it).
     */
    static StreamPosition resume(java.util.Optional<String> lastEventId, Instant now, Duration lateness) {
        String nowId = idAt(now);
        String from = lastEventId.map(id -> {
            if (!ATTEMPT_ID.matcher(id).matches()) {
                throw new Problem.Invalid("invalid_header", "Last-Event-ID must be an id this stream sent (att_ and 32 hex digits)");
            }
            return id.compareTo(nowId) > 0 ? nowId : id;
        }).orElse(nowId);
        return new StreamPosition(from, lateness);
    }

    /**
     * An attempt to send, and the position a client that has it resumes from: the higher of the
     * stream's cursor before this read and the attempt's id (every id below that was looked at).
     */
    record Step(Attempt attempt, String resumeFrom) {
    }

    /**
     * The next attempts for the stream, in id order, looking at most {@code batch} new ids per call
     * (so a stream far behind catches up in steps). Moves the position past them.
     */
    List<Step> next(AttemptFeed feed, String accountId, LiveFilter filter, int batch) {
        behind = false; // until this read shows otherwise; a failed read must not spin the loop
        String floor = floor();
        // Every id already looked at in the window comes back again, plus up to a batch of new ones.
        List<String> ids = feed.idsAfter(accountId, floor, looked.size() + batch);
        List<String> fresh = ids.stream().filter(id -> !looked.contains(id)).limit(batch).toList();
        behind = fresh.size() >= batch;
        if (fresh.isEmpty()) {
            return List.of();
        }
        String before = cursor;
        List<Step> steps = feed.rows(accountId, fresh, filter).stream()
                .map(a -> new Step(a, a.id().compareTo(before) > 0 ? a.id() : before))
                .toList();
        looked.addAll(fresh);
        if (looked.last().compareTo(cursor) > 0) {
            cursor = looked.last();
        }
        looked.headSet(floor(), true).clear();
        return steps;
    }

    /** Whether the last read looked at a whole batch, so that more may be waiting already. */
    boolean behind() {
        return behind;
    }

    private String floor() {
        return idAt(timeOf(cursor).minus(lateness));
    }

    /** The lowest id a UUIDv7 made at {@code t} can have. */
    static String idAt(Instant t) {
        long millis = Math.max(0, t.toEpochMilli());
        return PREFIX + HexFormat.of().toHexDigits(millis).substring(4) + "0".repeat(20);
    }

    private static Instant timeOf(String id) {
        return Instant.ofEpochMilli(HexFormat.fromHexDigitsToLong(id, PREFIX.length(), PREFIX.length() + 12));
    }
}
