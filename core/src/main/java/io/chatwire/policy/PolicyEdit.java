package io.chatwire.policy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a request changes of an endpoint's policy. {@code headers} is merged into the current ones: a
 * name with a value sets it, a name with none removes it; {@link Edit.Clear} removes them all.
 */
public record PolicyEdit(Edit<Integer> rateLimit, Edit<List<Duration>> retrySchedule, Edit<Duration> timeout,
        Edit<Map<String, Optional<String>>> headers) {
    public static final PolicyEdit NONE = new PolicyEdit(Edit.keep(), Edit.keep(), Edit.keep(), Edit.keep());

    public boolean changesNothing() {
        return rateLimit instanceof Edit.Keep && retrySchedule instanceof Edit.Keep && timeout instanceof Edit.Keep
                && headers instanceof Edit.Keep;
    }
}
