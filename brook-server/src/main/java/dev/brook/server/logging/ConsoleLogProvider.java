package dev.brook.server.logging;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Brook's SLF4J binding: one line per event on standard error, {@code 10:04:57.101 [INFO] TopicRegistry - message}.
 *
 * <p>Levels come from system properties: {@code brook.log.level} for everything (default {@code info}), and
 * {@code brook.log.level.<prefix>} for the loggers whose names start with that prefix (the longest prefix wins;
 * {@code org.apache.kafka} defaults to {@code warn}). Levels are {@code trace debug info warn error off}.
 *
 * <p>Why not slf4j-simple, which prints the same lines: it formats the time with {@code SimpleDateFormat}, and
 * building one loads the default locale's calendar and number data. With the service lookup and its properties
 * file, that was about 70 ms of a 300-ms broker start, on the thread every other class waits for (each holds a
 * logger). This binding reads nothing at startup but the time zone ({@link LogClock}).
 */
public final class ConsoleLogProvider implements SLF4JServiceProvider {
    private static final Map<String, String> DEFAULT_LEVELS = Map.of("org.apache.kafka", "warn");

    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private volatile Factory factory;

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        factory = new Factory(LogLevels.from(System.getProperties(), DEFAULT_LEVELS, System.err), System.err);
    }

    /** One logger per name, all writing to the same stream. */
    static final class Factory implements ILoggerFactory {
        private final LogLevels levels;
        private final PrintStream out;
        private final LogClock clock = new LogClock();
        private final ConcurrentHashMap<String, Logger> loggers = new ConcurrentHashMap<>();

        Factory(LogLevels levels, PrintStream out) {
            this.levels = levels;
            this.out = out;
        }

        @Override
        public Logger getLogger(String name) {
            return loggers.computeIfAbsent(name, n -> new ConsoleLogger(n, levels.of(n), clock, out));
        }
    }

    /** The threshold of each logger name, from {@code brook.log.level[.<prefix>]} properties over the defaults. */
    record LogLevels(Level root, Map<String, Level> byPrefix) {
        static final String PROPERTY = "brook.log.level";

        /** Levels from {@code properties}; an unknown level name is reported on {@code err} and that setting ignored. */
        static LogLevels from(Properties properties, Map<String, String> defaults, PrintStream err) {
            Map<String, Level> byPrefix = new HashMap<>();
            defaults.forEach((prefix, level) -> byPrefix.put(prefix, parse(level)));
            Level root = Level.INFO;
            for (String key : properties.stringPropertyNames()) {
                if (!key.equals(PROPERTY) && !key.startsWith(PROPERTY + ".")) {
                    continue;
                }
                Level level;
                try {
                    level = parse(properties.getProperty(key));
                } catch (IllegalArgumentException e) {
                    err.println("brook: " + key + ": " + e.getMessage() + "; setting ignored");
                    continue;
                }
                if (key.equals(PROPERTY)) {
                    root = level;
                } else {
                    byPrefix.put(key.substring(PROPERTY.length() + 1), level);
                }
            }
            return new LogLevels(root, byPrefix);
        }

        /** The threshold for {@code name}, {@code null} for off. */
        Level of(String name) {
            Level level = root; // null (off) is a level too
            int longest = -1;
            for (Map.Entry<String, Level> e : byPrefix.entrySet()) {
                String prefix = e.getKey();
                boolean matches = name.startsWith(prefix)
                        && (name.length() == prefix.length() || name.charAt(prefix.length()) == '.');
                if (matches && prefix.length() > longest) {
                    longest = prefix.length();
                    level = e.getValue();
                }
            }
            return level;
        }

        /** A level name, case-insensitive; {@code off} is {@code null}. Anything else is an error, not a silent default. */
        static Level parse(String name) {
            String n = name.trim().toUpperCase(Locale.ROOT);
            if (n.equals("OFF")) {
                return null;
            }
            try {
                return Level.valueOf(n);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown log level '" + name + "' (trace, debug, info, warn, error or off)");
            }
        }
    }
}
