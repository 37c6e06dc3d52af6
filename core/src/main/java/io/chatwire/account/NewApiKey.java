package io.chatwire.account;

/** A key just made: the only time it exists in clear. */
public record NewApiKey(ApiKey key, String secret) {
}
