package io.chatwire.signing;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The secret that signs now, and the one it replaced while that one's grace period lasts. During the
 * grace period the Standard Webhooks header carries a signature for each, so a receiver still holding
 * the old secret keeps verifying; the Chat Data header (one signature only) uses the current secret.
 */
public record SecretSet(SigningSecret current, Optional<SigningSecret> previous, Optional<Instant> previousExpiresAt) {

    public static SecretSet of(SigningSecret current) {
        return new SecretSet(current, Optional.empty(), Optional.empty());
    }

    /** The previous secrets still valid at {@code now}. */
    public List<SigningSecret> stillValid(Instant now) {
        if (previous.isPresent() && previousExpiresAt.isPresent() && now.isBefore(previousExpiresAt.get())) {
            return List.of(previous.get());
        }
        return List.of();
    }

    @Override
    public String toString() {
        return "SecretSet[***]";
    }
}
