package io.chatwire.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try a delivery again. {@code schedule.get(n)} is the pause before attempt {@code n + 1}: the
 * first entry is the pause before the first attempt (normally zero), and a delivery gets as many
 * attempts as the schedule has entries. Each pause is spread by ±{@code jitter} so that endpoints that
 * failed together do not all come back together. A receiver that asks for a pause (429 or 503 with
 * {@code Retry-After}) gets at least that, up to {@code maxRetryAfter}.
 */
public record RetryPolicy(List<Duration> schedule, double jitter, Duration maxRetryAfter) {
    /** Close to the Chat Data schedule: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
    public static final String DEFAULT_SCHEDULE = "0s,5s,5m,30m,2h,5h,10h,10h";

    public RetryPolicy {
        schedule = List.copyOf(schedule);
        if (schedule.isEmpty()) {
            throw new IllegalArgumentException("the retry schedule needs at least one entry");
        }
        if (schedule.stream().anyMatch(Duration::isNegative)) {
            throw new IllegalArgumentException("the retry schedule cannot hold negative pauses");
        }
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("jitter is a fraction in [0, 1)");
        }
    }

    public static RetryPolicy of(List<Duration> schedule) {
        return new RetryPolicy(schedule, 0.2, Duration.ofHours(1));
    }

    public int maxAttempts() {
        return schedule.size();
    }

    /**
     * The pause before the next attempt after {@code attemptsMade} attempts in the current cycle, or
     * empty when the schedule is used up and the delivery has failed.
     */
    public Optional<Duration> pauseAfter(int attemptsMade, Optional<Duration> retryAfter, RandomGenerator random) {
        if (attemptsMade >= schedule.size()) {
            return Optional.empty();
        }
        Duration base = schedule.get(attemptsMade);
        long millis = base.toMillis();
        if (millis > 0 && jitter > 0) {
            double factor = 1 + jitter * (2 * random.nextDouble() - 1);
            millis = Math.round(millis * factor);
        }
        Duration pause = Duration.ofMillis(millis);
        if (retryAfter.isPresent()) {
            Duration asked = retryAfter.get().compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter.get();
            if (asked.compareTo(pause) > 0) {
                pause = asked;
            }
        }
        return Optional.of(pause);
    }

    /** Parses {@code 0s,5s,5m,30m,2h,5h,10h,10h}: numbers with a unit of ms, s, m, h or d. */
    public static List<Duration> parseSchedule(String text) {
        List<Duration> pauses = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            pauses.add(parseDuration(part.strip()));
        }
        return pauses;
    }

    /** Parses one duration such as {@code 250ms}, {@code 5s}, {@code 30m}, {@code 2h} or {@code 1d}. */
    public static Duration parseDuration(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        String number;
        String unit;
        if (t.endsWith("ms")) {
            number = t.substring(0, t.length() - 2);
            unit = "ms";
        } else if (!t.isEmpty() && "smhd".indexOf(t.charAt(t.length() - 1)) >= 0) {
            number = t.substring(0, t.length() - 1);
            unit = t.substring(t.length() - 1);
        } else {
            throw new IllegalArgumentException("'" + text + "' needs a unit: ms, s, m, h or d (e.g. 5s, 30m)");
        }
        long n;
        try {
            n = Long.parseLong(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number with a unit (e.g. 5s, 30m)");
        }
        if (n < 0) {
            throw new IllegalArgumentException("'" + text + "' is negative");
        }
        try {
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a pause");
        }
    }
}
