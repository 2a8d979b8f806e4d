package dev.brook.broker.cluster;

import dev.brook.broker.BrokerConfigException;
import dev.brook.log.Compaction;
import dev.brook.log.LogConfig;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.record.TimestampType;

/**
 * The topic-level configs Brook understands, by their Kafka names: their types, how they are validated,
 * their defaults (taken from the broker's {@code log.*} settings) and how they become a {@link LogConfig}.
 *
 * <p>Configs that only mean something on a multi-broker cluster
 * ({@code min.insync.replicas}, {@code unclean.leader.election.enable}, ...) are accepted and reported, so tools and
 * Kafka Streams that set them keep working, but change nothing on a single node. {@code cleanup.policy=compact} topics
 * are compacted by the {@link dev.brook.log.LogCleaner} and trimmed by retention only when the policy also lists
 * {@code delete}. {@code compression.type} accepts only {@code producer}: Brook keeps
 * batches exactly as the producer compressed them and says so rather than silently ignoring another codec.
 */
public final class TopicConfigs {

    /** Kafka's config types, as DescribeConfigs v3+ reports them. */
    public enum Type {
        BOOLEAN(1), STRING(2), INT(3), SHORT(4), LONG(5), DOUBLE(6), LIST(7), CLASS(8), PASSWORD(9);
        public final byte id;

        Type(int id) {
            this.id = (byte) id;
        }
    }

    /** One known config: its type, validator and how its default follows from the broker's settings. */
    public record Key(String name, Type type, Function<LogConfig, String> defaultValue, Function<String, String> validator,
                      String brokerSynonym) {
    }

    /**
     * {@code brook.storage}: {@code disk} (the default) keeps the topic's records in its durable log; {@code memory}
     * keeps them only in a bounded buffer in memory (see {@link dev.brook.log.MemoryLog}), lost on restart. Set when
     * the topic is created; it cannot be changed afterwards.
     */
    public static final String STORAGE = "brook.storage";

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    static {
        add("cleanup.policy", Type.LIST, c -> "delete", TopicConfigs::cleanupPolicy, "log.cleanup.policy");
        add("compression.type", Type.STRING, c -> "producer", v -> v.equals("producer") ? null
                : "Brook keeps batches as the producer compressed them; only compression.type=producer is supported", "compression.type");
        add("retention.ms", Type.LONG, c -> String.valueOf(c.retentionMs()), v -> longAtLeast(v, -1), "log.retention.ms");
        add("retention.bytes", Type.LONG, c -> String.valueOf(c.retentionBytes()), v -> longAtLeast(v, -1), "log.retention.bytes");
        add("segment.bytes", Type.INT, c -> String.valueOf(c.segmentBytes()), v -> intAtLeast(v, 1024), "log.segment.bytes");
        add("segment.ms", Type.LONG, c -> String.valueOf(c.segmentMs()), v -> longAtLeast(v, 1), "log.roll.ms");
        add("segment.index.bytes", Type.INT, c -> String.valueOf(c.segmentIndexBytes()), v -> intAtLeast(v, 64), "log.index.size.max.bytes");
        add("index.interval.bytes", Type.INT, c -> String.valueOf(c.indexIntervalBytes()), v -> intAtLeast(v, 0), "log.index.interval.bytes");
        add("max.message.bytes", Type.INT, c -> String.valueOf(c.maxMessageBytes()), v -> intAtLeast(v, 0), "message.max.bytes");
        add("message.timestamp.type", Type.STRING, c -> c.timestampType().name,
                v -> v.equals("CreateTime") || v.equals("LogAppendTime") ? null : "must be CreateTime or LogAppendTime",
                "log.message.timestamp.type");
        add("min.insync.replicas", Type.INT, c -> "1", v -> intAtLeast(v, 1), "min.insync.replicas");
        add("unclean.leader.election.enable", Type.BOOLEAN, c -> "false", TopicConfigs::bool, "unclean.leader.election.enable");
        add("delete.retention.ms", Type.LONG, c -> String.valueOf(c.compaction().deleteRetentionMs()), v -> longAtLeast(v, 0),
                "log.cleaner.delete.retention.ms");
        add("min.compaction.lag.ms", Type.LONG, c -> String.valueOf(c.compaction().minCompactionLagMs()), v -> longAtLeast(v, 0),
                "log.cleaner.min.compaction.lag.ms");
        add("max.compaction.lag.ms", Type.LONG, c -> String.valueOf(c.compaction().maxCompactionLagMs()), v -> longAtLeast(v, 1),
                "log.cleaner.max.compaction.lag.ms");
        add("min.cleanable.dirty.ratio", Type.DOUBLE, c -> String.valueOf(c.compaction().minCleanableDirtyRatio()), TopicConfigs::ratio,
                "log.cleaner.min.cleanable.ratio");
        add("file.delete.delay.ms", Type.LONG, c -> "60000", v -> longAtLeast(v, 0), "log.segment.delete.delay.ms");
        add("flush.messages", Type.LONG, c -> String.valueOf(c.flushMessages()), v -> longAtLeast(v, 1), "log.flush.interval.messages");
        add("flush.ms", Type.LONG, c -> String.valueOf(c.flushMs()), v -> longAtLeast(v, 0), "log.flush.interval.ms");
        add("preallocate", Type.BOOLEAN, c -> "false", TopicConfigs::bool, "log.preallocate");
        add("message.timestamp.before.max.ms", Type.LONG, c -> String.valueOf(c.timestampBeforeMaxMs()), v -> longAtLeast(v, 0),
                "log.message.timestamp.before.max.ms");
        add(STORAGE, Type.STRING, c -> "disk", v -> v.equals("disk") || v.equals("memory") ? null : "must be disk or memory", null);
        add("errors.deadletterqueue.group.enable", Type.BOOLEAN, c -> "false", TopicConfigs::bool, null);
        add("message.timestamp.after.max.ms", Type.LONG, c -> String.valueOf(c.timestampAfterMaxMs()), v -> longAtLeast(v, 0),
                "log.message.timestamp.after.max.ms");
    }

    private TopicConfigs() {
    }

    private static void add(String name, Type type, Function<LogConfig, String> def, Function<String, String> validator,
                            String synonym) {
        KEYS.put(name, new Key(name, type, def, validator, synonym));
    }

    /** Every known key, in a stable order. */
    public static Set<String> names() {
        return KEYS.keySet();
    }

    public static Key key(String name) {
        return KEYS.get(name);
    }

    /**
     * Checks one override.
     *
     * @throws BrokerConfigException naming the key for an unknown key or a bad value
     */
    public static void validate(String name, String value) {
        Key key = KEYS.get(name);
        if (key == null) {
            throw new BrokerConfigException(name, value, "unknown topic config");
        }
        if (value == null) {
            throw new BrokerConfigException(name, "null", "a value is required");
        }
        String problem = key.validator().apply(value.trim());
        if (problem != null) {
            throw new BrokerConfigException(name, value, problem);
        }
    }

    /** Validates every override. */
    public static void validateAll(Map<String, String> overrides) {
        overrides.forEach(TopicConfigs::validate);
    }

    /**
     * Validates a topic's new overrides against its current ones: every value, and that {@code brook.storage} stays
     * what it was (a topic cannot move between disk and memory).
     *
     * @throws BrokerConfigException naming the key at fault
     */
    public static void validateAlteration(Map<String, String> current, Map<String, String> next) {
        validateAll(next);
        if (inMemory(current) != inMemory(next)) {
            throw new BrokerConfigException(STORAGE, next.getOrDefault(STORAGE, "disk"), "the topic's storage is "
                    + (inMemory(current) ? "memory" : "disk") + " and cannot be changed after it is created");
        }
    }

    /** The topic's effective value of {@code name}: its override, else the broker-derived default. */
    public static String effective(String name, Map<String, String> overrides, LogConfig brokerDefaults) {
        String v = overrides.get(name);
        return v != null ? v : KEYS.get(name).defaultValue().apply(brokerDefaults);
    }

    /** The log settings of a topic with these overrides on top of the broker's defaults. */
    public static LogConfig toLogConfig(LogConfig d, Map<String, String> o) {
        boolean compact = isCompacted(o);
        boolean delete = !compact || policyIncludes(o, "delete");
        long retentionMs = delete ? Long.parseLong(effective("retention.ms", o, d)) : -1;
        long retentionBytes = delete ? Long.parseLong(effective("retention.bytes", o, d)) : -1;
        return new LogConfig(
                Integer.parseInt(effective("segment.bytes", o, d)),
                Long.parseLong(effective("segment.ms", o, d)),
                retentionMs,
                retentionBytes,
                Integer.parseInt(effective("index.interval.bytes", o, d)),
                Integer.parseInt(effective("segment.index.bytes", o, d)),
                Integer.parseInt(effective("max.message.bytes", o, d)),
                TimestampType.forName(effective("message.timestamp.type", o, d)),
                Long.parseLong(effective("flush.messages", o, d)),
                Long.parseLong(effective("flush.ms", o, d)),
                compact,
                Long.parseLong(effective("message.timestamp.before.max.ms", o, d)),
                Long.parseLong(effective("message.timestamp.after.max.ms", o, d)),
                new Compaction(Double.parseDouble(effective("min.cleanable.dirty.ratio", o, d)),
                        Long.parseLong(effective("min.compaction.lag.ms", o, d)),
                        Long.parseLong(effective("max.compaction.lag.ms", o, d)),
                        Long.parseLong(effective("delete.retention.ms", o, d))));
    }

    /** Whether a topic with these overrides keeps its records in memory only. */
    public static boolean inMemory(Map<String, String> overrides) {
        return "memory".equals(overrides.getOrDefault(STORAGE, "disk").trim());
    }

    static boolean isCompacted(Map<String, String> overrides) {
        return policyIncludes(overrides, "compact");
    }

    private static boolean policyIncludes(Map<String, String> overrides, String policy) {
        String policies = overrides.getOrDefault("cleanup.policy", "delete");
        return Arrays.stream(policies.split(",")).map(String::trim).anyMatch(policy::equals);
    }

    private static String cleanupPolicy(String v) {
        List<String> parts = Arrays.stream(v.split(",")).map(String::trim).toList();
        if (parts.isEmpty() || !parts.stream().allMatch(p -> p.equals("delete") || p.equals("compact"))) {
            return "must be a list of delete and compact";
        }
        return null;
    }

    private static String bool(String v) {
        return v.equals("true") || v.equals("false") ? null : "must be true or false";
    }

    private static String ratio(String v) {
        try {
            double d = Double.parseDouble(v);
            return d >= 0 && d <= 1 ? null : "must be between 0 and 1";
        } catch (NumberFormatException e) {
            return "not a number";
        }
    }

    private static String longAtLeast(String v, long min) {
        try {
            return Long.parseLong(v) >= min ? null : "must be at least " + min;
        } catch (NumberFormatException e) {
            return "not an integer";
        }
    }

    private static String intAtLeast(String v, int min) {
        try {
            return Integer.parseInt(v) >= min ? null : "must be at least " + min;
        } catch (NumberFormatException e) {
            return "not a 32-bit integer";
        }
    }
}
