package io.chatwire.portal;

import java.time.Instant;
import java.util.Optional;

/** A live portal session: whose account it sees, whether only one chatbot of it, and whether it may write. */
record PortalSession(String id, String accountId, Optional<String> chatbotId, boolean readOnly, Instant expiresAt) {
}
