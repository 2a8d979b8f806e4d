package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class ThrottledLoggerTest {

    /** One line as the logger wrote it: the formatted message and whether a stack trace came with it. */
    private record Line(Level level, String message, boolean withThrowable) {
    }

    /** Records every line instead of printing it. */
    private static final class RecordingLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        final transient List<Line> lines = new ArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String format, Object[] args, Throwable t) {
            lines.add(new Line(level, MessageFormatter.basicArrayFormat(format, args), t != null));
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return false;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }

    private final RecordingLogger logger = new RecordingLogger();
    private final MutableClock clock = new MutableClock();
    private final ThrottledLogger throttled = new ThrottledLogger(logger, Level.WARN, 30_000, clock, false);

    @Test
    void aMillionFailuresOfOneKindWriteTheFirstInFullAndThenOneSummaryPerInterval() {
        for (int i = 0; i < 1_000_000; i++) {
            throttled.log("append failed", "Append to {} failed", "orders-" + (i % 4), new IOException("No space left on device"));
            if (i % 10_000 == 9_999) {
                clock.advance(1_000); // 100 s in all
            }
        }
        clock.advance(30_000);
        throttled.flush();

        assertThat(logger.lines).as("lines for a million events over 100 s: the first, then a summary per 30 s").hasSize(5);
        assertThat(logger.lines.get(0)).isEqualTo(new Line(Level.WARN, "Append to orders-0 failed", true));
        assertThat(logger.lines.subList(1, logger.lines.size()))
                .allSatisfy(l -> assertThat(l.message()).contains("more like this (append failed) in the last 30 s"));
        long counted = logger.lines.stream().filter(l -> l.message().contains("more like this"))
                .mapToLong(l -> Long.parseLong(l.message().substring(0, l.message().indexOf(' ')))).sum();
        assertThat(counted + 1).as("every event is either logged or counted").isEqualTo(1_000_000);
        assertThat(logger.lines.subList(1, logger.lines.size())).noneMatch(Line::withThrowable);
    }

    @Test
    void eachKindHasItsOwnFirstLine() {
        throttled.log("malformed request", "Closing connection from {}: {}", "/127.0.0.1:1", "garbage");
        throttled.log("malformed request", "Closing connection from {}: {}", "/127.0.0.1:2", "garbage");
        throttled.log("unknown API key", "Closing connection from {}: {}", "/127.0.0.1:3", "unknown API key 32000");

        assertThat(logger.lines).extracting(Line::message).containsExactly(
                "Closing connection from /127.0.0.1:1: garbage",
                "Closing connection from /127.0.0.1:3: unknown API key 32000");
    }

    @Test
    void theSummaryAfterAQuietSpellCarriesTheCountAndTheLatestMessageAndTheNextEventIsLoggedInFullAgain() {
        throttled.log("malformed request", "Closing connection from {}", "a");
        throttled.log("malformed request", "Closing connection from {}", "b");
        throttled.log("malformed request", "Closing connection from {}", "c");
        clock.advance(30_000);
        throttled.flush();
        throttled.flush();
        clock.advance(60_000);
        throttled.log("malformed request", "Closing connection from {}", "d");

        assertThat(logger.lines).extracting(Line::message).containsExactly(
                "Closing connection from a",
                "2 more like this (malformed request) in the last 30 s; latest: Closing connection from c",
                "Closing connection from d");
    }

    @Test
    void nothingIsFormattedOrCountedWhenTheLevelIsOff() {
        ThrottledLogger debug = new ThrottledLogger(logger, Level.DEBUG, 30_000, clock, false);
        debug.log("noise", "never {}", "shown");
        debug.flush();

        assertThat(logger.lines).isEmpty();
    }
}
