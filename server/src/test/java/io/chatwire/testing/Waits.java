package io.chatwire.testing;

import java.time.Duration;

/** Waiting in tests: for the time a wrong delivery would need to show up, after the right ones did. */
public final class Waits {
    private Waits() {
    }

    /** Sleeps, keeping the interrupt flag if interrupted. */
    public static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
