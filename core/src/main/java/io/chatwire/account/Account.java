package io.chatwire.account;

import io.chatwire.signing.SecretSet;
import io.chatwire.signing.SigningSecret;
import java.time.Instant;

/** A customer of the chatbot platform. */
public record Account(String id, String name, Plan plan, Status status, SecretSet secrets, Instant createdAt) {

    /** A suspended account's events are accepted and kept, but not delivered until it is reinstated. */
    public enum Status {
        ACTIVE, SUSPENDED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The secret that signs deliveries now. */
    public SigningSecret signingSecret() {
        return secrets.current();
    }
}
