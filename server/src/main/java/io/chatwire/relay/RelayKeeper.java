package io.chatwire.relay;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps relay endpoints with a listener connected to this node marked as seen, and removes those
 * whose listener has not been seen on any node for the timeout (it vanished without Ctrl-C).
 */
public final class RelayKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayKeeper.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("chatwire-relay-keeper").factory());

    public RelayKeeper(RelayEndpoints endpoints, RelayListeners listeners, Duration timeout) {
        // Seen at least three times per timeout, so a connected listener never looks vanished.
        long period = Math.clamp(timeout.toMillis() / 4, 100, 10_000);
        // After a restart the listeners need a moment to come back: however long this node was down, a
        // relay endpoint is removed only once it has also been unseen for the timeout since this start.
        long firstSweep = System.nanoTime() + timeout.toNanos();
        timer.scheduleWithFixedDelay(() -> {
            try {
                endpoints.connectedHere(listeners.endpointIds());
                if (System.nanoTime() - firstSweep < 0) {
                    return;
                }
                int removed = endpoints.removeUnseen(timeout);
                if (removed > 0) {
                    log.info("removed {} relay endpoint(s) whose listener was gone for {}", removed, timeout);
                }
            } catch (RuntimeException e) {
                log.warn("relay endpoint upkeep failed (tried again shortly): {}", e.toString());
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
