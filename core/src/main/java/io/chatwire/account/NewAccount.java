package io.chatwire.account;

/** An account just created, with its API key: the only time the key exists in clear. */
public record NewAccount(Account account, String apiKey) {
}
