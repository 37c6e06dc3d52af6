package io.chatwire.endpoint;

import io.chatwire.problem.Problem;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The content-type header an endpoint's deliveries carry. The body is the same bytes either way, and
 * so are the signatures over them; only the label differs, and some receivers act on it: Next.js's
 * default body parser turns a body labelled application/json into an object before the route sees
 * it, so a receiver that computes the HMAC over {@code req.body} (as Chat Data's example does) throws,
 * while a text/plain body reaches it as the raw string.
 */
public enum DeliveryContentType {
    /** Chat Data compatible: what Chat Data's example receiver works with. */
    TEXT_PLAIN("text/plain", "text/plain; charset=utf-8"),
    /** What every delivery carried before the setting existed; endpoints from then keep it. */
    APPLICATION_JSON("application/json", "application/json");

    /** What an endpoint gets when it is created without a choice, whichever way it is created. */
    public static final DeliveryContentType FOR_NEW_ENDPOINTS = TEXT_PLAIN;

    private static final DeliveryContentType[] ALL = values();

    private final String wireName;
    private final String headerValue;

    DeliveryContentType(String wireName, String headerValue) {
        this.wireName = wireName;
        this.headerValue = headerValue;
    }

    /** The name in the API and in the endpoints table. */
    public String wireName() {
        return wireName;
    }

    /** The content-type header as sent. */
    public String headerValue() {
        return headerValue;
    }

    /**
     * The type with this wire name, or a 400 that names {@code field} and the choices. Read for every
     * endpoint row and delivery job, so a plain loop over a kept array.
     */
    public static DeliveryContentType fromWire(String field, String value) {
        for (DeliveryContentType t : ALL) {
            if (t.wireName.equals(value)) {
                return t;
            }
        }
        throw new Problem.Invalid("invalid_field", field + " must be one of " + allNames() + " (got '" + value + "')");
    }

    public static String allNames() {
        return Arrays.stream(ALL).map(DeliveryContentType::wireName).collect(Collectors.joining(", "));
    }
}
