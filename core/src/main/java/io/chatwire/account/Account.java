package io.chatwire.account;

import io.chatwire.signing.SigningSecret;
import java.time.Instant;

/** A customer of the chatbot platform. */
public record Account(String id, String name, Plan plan, SigningSecret signingSecret, Instant createdAt) {
}
