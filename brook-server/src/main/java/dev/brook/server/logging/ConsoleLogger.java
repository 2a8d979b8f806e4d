package dev.brook.server.logging;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** A logger of {@link ConsoleLogProvider}: events at or above its threshold become one line (and a stack trace). */
final class ConsoleLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    private final transient Level threshold; // null: off
    private final transient LogClock clock;
    private final transient PrintStream out;
    private final String shortName;

    ConsoleLogger(String name, Level threshold, LogClock clock, PrintStream out) {
        this.name = name;
        this.threshold = threshold;
        this.clock = clock;
        this.out = out;
        this.shortName = name.substring(name.lastIndexOf('.') + 1);
    }

    private boolean enabled(Level level) {
        // org.slf4j.event.Level: ERROR has the highest int, TRACE the lowest
        return threshold != null && level.toInt() >= threshold.toInt();
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
        StringBuilder line = new StringBuilder(96);
        clock.appendTime(System.currentTimeMillis(), line);
        line.append(" [").append(level).append("] ").append(shortName).append(" - ")
                .append(MessageFormatter.basicArrayFormat(pattern, args));
        if (t != null) {
            StringWriter trace = new StringWriter();
            t.printStackTrace(new PrintWriter(trace));
            line.append(System.lineSeparator()).append(trace);
            line.setLength(line.length() - System.lineSeparator().length()); // println adds the last one
        }
        out.println(line); // one call per event, so lines of concurrent threads do not interleave
    }
}
