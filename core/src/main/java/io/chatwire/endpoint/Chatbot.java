package io.chatwire.endpoint;

import java.time.Instant;
import java.util.Optional;

/**
 * A chatbot of an account. Its id is what the platform's events name in {@code chatbot_id}.
 *
 * @param endpointLimit an operator's override of the default limit of endpoints
 */
public record Chatbot(String id, String accountId, String name, Optional<Integer> endpointLimit, Instant createdAt) {
    public static final int DEFAULT_ENDPOINT_LIMIT = 3;

    public int effectiveEndpointLimit() {
        return endpointLimit.orElse(DEFAULT_ENDPOINT_LIMIT);
    }
}
