package io.chatwire.api;

import io.chatwire.delivery.RetryPolicy;
import io.chatwire.policy.Edit;
import io.chatwire.policy.PolicyBounds;
import io.chatwire.policy.PolicyEdit;
import io.chatwire.policy.StaticHeaders;
import io.chatwire.problem.Problem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The endpoint fields of {@code io.chatwire.policy}: {@code rate_limit}, {@code retry_schedule},
 * {@code timeout} and {@code headers}, read from a create or a PATCH (left out: unchanged; {@code null}:
 * back to the default) and held to the operator's bounds.
 */
final class PolicyFields {
    private static final int MAX_DURATION_TEXT = 20;
    static final Set<String> NAMES = Set.of("rate_limit", "retry_schedule", "timeout", "headers");

    private PolicyFields() {
    }

    static PolicyEdit read(JsonBody body, PolicyBounds bounds) {
        PolicyEdit edit = new PolicyEdit(
                edit(body, "rate_limit", f -> body.optionalInt(f, 0, Integer.MAX_VALUE)),
                edit(body, "retry_schedule", f -> body.optionalStringList(f).map(PolicyFields::schedule)),
                edit(body, "timeout", f -> body.optionalString(f).map(t -> duration(f, t))),
                edit(body, "headers", f -> body.optionalStringMap(f).map(PolicyFields::headers)));
        bounds.check(edit);
        return edit;
    }

    private static <T> Edit<T> edit(JsonBody body, String field, Function<String, Optional<T>> value) {
        if (!body.has(field)) {
            return Edit.keep();
        }
        if (body.isNull(field)) {
            return new Edit.Clear<>();
        }
        return new Edit.Set<>(value.apply(field).orElseThrow());
    }

    private static List<Duration> schedule(List<String> pauses) {
        List<Duration> schedule = new ArrayList<>();
        for (String p : pauses) {
            schedule.add(duration("retry_schedule", p));
        }
        return schedule;
    }

    private static Duration duration(String field, String text) {
        if (text.length() > MAX_DURATION_TEXT) {
            throw new Problem.Invalid("invalid_field", field + ": a duration is a number with a unit, such as 5s or 30m");
        }
        try {
            return RetryPolicy.parseDuration(text.strip());
        } catch (IllegalArgumentException e) {
            throw new Problem.Invalid("invalid_field", field + ": " + e.getMessage());
        }
    }

    /** Checked one by one here, so that a bad name is refused before anything is read or written. */
    private static Map<String, Optional<String>> headers(Map<String, Optional<String>> edit) {
        Map<String, String> given = new java.util.LinkedHashMap<>();
        edit.forEach((name, value) -> value.ifPresentOrElse(v -> given.put(name, v),
                () -> StaticHeaders.checkName(name)));
        StaticHeaders.checked(given);
        return edit;
    }
}
