package io.chatwire.policy;

import io.chatwire.delivery.RetryPolicy;
import io.chatwire.signing.SecretCipher;
import io.chatwire.store.Jdbc;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The policy columns of the endpoints table (V13), read and written inside the endpoint store's transactions. */
public final class PolicyStore {
    /** The columns {@link #settings(ResultSet)} reads; selected with the endpoint's own. */
    public static final String COLUMNS = "rate_limit, retry_schedule, timeout_ms, header_names, paused_until";
    /** As {@link #COLUMNS}, plus the sealed headers, for a delivery's job. */
    public static final String JOB_COLUMNS = """
            en.rate_limit, en.retry_schedule, en.timeout_ms, en.header_names, en.paused_until, en.static_headers""";

    private static final String WRITE = """
            UPDATE endpoints SET rate_limit = ?, retry_schedule = ?, timeout_ms = ?, header_names = ?, static_headers = ?
            WHERE id = ?
            """;
    private static final String HEADERS = "SELECT static_headers FROM endpoints WHERE id = ?";

    private PolicyStore() {
    }

    /** The associated data of an endpoint's sealed headers: distinct from its signing secret's row. */
    public static String headersRow(String endpointId) {
        return "endpoint-headers:" + endpointId;
    }

    public static EndpointPolicy settings(ResultSet rs) throws SQLException {
        return new EndpointPolicy(
                Jdbc.optionalInt(rs, "rate_limit"),
                Optional.ofNullable(rs.getString("retry_schedule")).map(PolicyStore::schedule),
                Jdbc.optionalLong(rs, "timeout_ms").map(Duration::ofMillis),
                Optional.ofNullable(rs.getString("header_names")).filter(s -> !s.isEmpty())
                        .map(s -> List.of(s.split("\n"))).orElse(List.of()),
                Jdbc.optionalLong(rs, "paused_until").map(Instant::ofEpochMilli));
    }

    /** A delivery's policy from the {@link #JOB_COLUMNS} of a row (all null when the endpoint was deleted). */
    public static JobPolicy job(ResultSet rs, SecretCipher cipher, String endpointId) throws SQLException {
        String sealed = rs.getString("static_headers");
        StaticHeaders headers = sealed == null ? StaticHeaders.NONE
                : StaticHeaders.fromStored(cipher.open(sealed, headersRow(endpointId)));
        return new JobPolicy(settings(rs), headers);
    }

    /** The endpoint's static headers with their values, for a job built outside {@link #job}. */
    public static StaticHeaders headers(Connection c, SecretCipher cipher, String endpointId) throws SQLException {
        return Jdbc.queryOne(c, HEADERS, rs -> Optional.ofNullable(rs.getString(1)), endpointId)
                .flatMap(o -> o)
                .map(sealed -> StaticHeaders.fromStored(cipher.open(sealed, headersRow(endpointId))))
                .orElse(StaticHeaders.NONE);
    }

    /** Applies the edit to the endpoint's policy, in the caller's transaction. */
    public static void write(Connection c, SecretCipher cipher, String endpointId, EndpointPolicy current,
            PolicyEdit edit) throws SQLException {
        if (edit.changesNothing()) {
            return;
        }
        StaticHeaders headers = switch (edit.headers()) {
            case Edit.Keep<Map<String, Optional<String>>> k -> headers(c, cipher, endpointId);
            case Edit.Clear<Map<String, Optional<String>>> cl -> StaticHeaders.NONE;
            case Edit.Set<Map<String, Optional<String>>> s -> headers(c, cipher, endpointId).merged(s.value());
        };
        Jdbc.update(c, WRITE,
                edit.rateLimit().applyTo(current.rateLimit()),
                edit.retrySchedule().applyTo(current.retrySchedule()).map(PolicyStore::scheduleText),
                edit.timeout().applyTo(current.timeout()).map(Duration::toMillis),
                headers.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", headers.names())),
                headers.isEmpty() ? Optional.empty() : Optional.of(cipher.seal(headers.stored(), headersRow(endpointId))),
                endpointId);
    }

    private static List<Duration> schedule(String text) {
        return text.isEmpty() ? List.of() : RetryPolicy.parseSchedule(text);
    }

    private static String scheduleText(List<Duration> schedule) {
        return schedule.stream().map(EndpointPolicy::wire).collect(Collectors.joining(","));
    }
}
