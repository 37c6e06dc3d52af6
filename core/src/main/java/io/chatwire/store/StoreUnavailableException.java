package io.chatwire.store;

/** The database could not be reached or refused the work; nothing of it was committed. */
public final class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
