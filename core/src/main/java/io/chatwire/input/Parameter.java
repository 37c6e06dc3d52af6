package io.chatwire.input;

import io.chatwire.problem.Problem;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * A time or number that a request carries, by the name the caller used for it: the one place such
 * values are parsed and held to Chatwire's bounds, and refused with a 400 that names the parameter.
 *
 * <p>Times are instants from {@link #EARLIEST} to {@link #LATEST} and dates from {@link #FIRST_DAY} to
 * {@link #LAST_DAY}. Nothing Chatwire stores is older than 1970 or later than year 9999; four-digit
 * years read and print the same everywhere (ISO-8601 needs a sign past them); and every such time is
 * far inside the epoch milliseconds the stores keep and the dates {@code java.time} can step over, so
 * no value that passes here can overflow on its way to SQL (a {@code +1000000000-01-01T00:00:00Z}
 * used to, inside the shared database writer). Whole numbers are held to the range the parameter
 * documents.
 */
public record Parameter(String name, String code) {
    public static final Instant EARLIEST = Instant.EPOCH;
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");
    public static final LocalDate FIRST_DAY = LocalDate.of(1970, 1, 1);
    public static final LocalDate LAST_DAY = LocalDate.of(9999, 12, 31);

    /** How much of a refused value the message quotes. */
    private static final int QUOTED = 40;
    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?[0-9]+");

    /** A query parameter (refused as {@code invalid_parameter}). */
    public static Parameter query(String name) {
        return new Parameter(name, "invalid_parameter");
    }

    /** A field of a JSON body (refused as {@code invalid_field}). */
    public static Parameter field(String name) {
        return new Parameter(name, "invalid_field");
    }

    /** An ISO-8601 instant such as {@code 2026-11-20T00:00:00Z}, within the bounds. */
    public Instant instant(String text) {
        Instant at;
        try {
            at = Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw refused("an ISO-8601 time such as 2026-11-20T00:00:00Z", text);
        }
        if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
            throw refused("a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z", text);
        }
        return at;
    }

    /** An ISO-8601 date such as {@code 2026-11-25}, within the bounds. */
    public LocalDate date(String text) {
        LocalDate day;
        try {
            day = LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw refused("a date such as 2026-11-25", text);
        }
        if (day.isBefore(FIRST_DAY) || day.isAfter(LAST_DAY)) {
            throw refused("a date from 1970-01-01 to 9999-12-31", text);
        }
        return day;
    }

    /** A whole number written in ASCII digits (an optional leading minus), from {@code min} to {@code max}. */
    public long wholeNumber(String text, long min, long max) {
        if (text.length() > 40 || !WHOLE_NUMBER.matcher(text).matches()) {
            throw refused(range(min, max), text);
        }
        return wholeNumber(new BigInteger(text), min, max);
    }

    /** A whole number from {@code min} to {@code max}, however large it was written. */
    public long wholeNumber(BigInteger value, long min, long max) {
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw refused(range(min, max), value.toString());
        }
        return value.longValueExact();
    }

    /** The refusal of {@code got} for not being {@code requirement}: names the parameter and quotes the value. */
    public Problem.Invalid refused(String requirement, String got) {
        String quoted = got;
        if (got.length() > QUOTED) {
            // Never half a surrogate pair: the message is written out as JSON.
            quoted = got.substring(0, Character.isHighSurrogate(got.charAt(QUOTED - 1)) ? QUOTED - 1 : QUOTED) + "...";
        }
        return new Problem.Invalid(code, name + " must be " + requirement + " (got '" + quoted + "')");
    }

    private static String range(long min, long max) {
        return "a whole number from " + min + " to " + max;
    }
}
