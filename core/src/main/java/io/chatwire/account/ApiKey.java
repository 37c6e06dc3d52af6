package io.chatwire.account;

import java.time.Instant;
import java.util.Optional;

/** An account API key as listed: never the key itself, only its first characters. */
public record ApiKey(String id, String accountId, String prefix, Instant createdAt, Optional<Instant> revokedAt) {
}
