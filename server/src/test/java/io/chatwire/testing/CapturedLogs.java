package io.chatwire.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Every log record from its opening to its closing, captured on the root logger (as NoSecretsInLogsTest does). */
public final class CapturedLogs implements AutoCloseable {
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public CapturedLogs() {
        appender.start();
        root.addAppender(appender);
    }

    /** The formatted messages logged at WARN or above so far. */
    public List<String> warnings() {
        return List.copyOf(appender.list).stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    /** Every record so far, at any level: its formatted message and each argument as text, a line each. */
    public String everything() {
        StringBuilder all = new StringBuilder();
        for (ILoggingEvent e : List.copyOf(appender.list)) {
            all.append(e.getFormattedMessage()).append('\n');
            for (Object a : e.getArgumentArray() == null ? new Object[0] : e.getArgumentArray()) {
                all.append(a).append('\n');
            }
        }
        return all.toString();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
