package dev.brook.broker.cluster;

import dev.brook.broker.BrokerConfig;
import dev.brook.broker.group.GroupConfig;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.InvalidConfigurationException;

/**
 * Per-group dynamic configs (Kafka's GROUP config resource, KIP-848 and KIP-932): what an operator sets for one group
 * with {@code kafka-configs --entity-type groups --entity-name G --alter}, overriding the broker setting the config
 * follows ({@code consumer.session.timeout.ms} over {@code group.consumer.session.timeout.ms}, ...). A group may have
 * configs before it exists, as in Kafka. Stored in {@code __brook_meta/groups.properties}; thread-safe, reads lock-free.
 *
 * <p>The names, types, defaults and bounds are Kafka 4.4's. The consumer-group ones take effect at once (the next
 * heartbeat tells members the new interval; the session timeout applies from the next heartbeat on). The share-group
 * and dead-letter ones are read by share groups at each use ({@code dev.brook.broker.share.ShareSettings}).
 */
public final class GroupConfigs {
    /** One group config: its type, the broker setting it defaults to (or null), that default, and its check. */
    public record Key(String name, TopicConfigs.Type type, String brokerSynonym, Function<BrokerConfig, String> defaultValue,
                      Validator validator) {
    }

    /** Throws {@link InvalidConfigurationException} with Kafka's wording when a value is not allowed. */
    @FunctionalInterface
    interface Validator {
        void check(String name, String value, GroupConfig broker);
    }

    private static final List<Key> KEYS = List.of(
            new Key("consumer.heartbeat.interval.ms", TopicConfigs.Type.INT, "group.consumer.heartbeat.interval.ms",
                    b -> String.valueOf(b.groups().consumerHeartbeatIntervalMs()),
                    (n, v, g) -> range(n, v, g.consumerMinHeartbeatIntervalMs(), g.consumerMaxHeartbeatIntervalMs())),
            new Key("consumer.session.timeout.ms", TopicConfigs.Type.INT, "group.consumer.session.timeout.ms",
                    b -> String.valueOf(b.groups().consumerSessionTimeoutMs()),
                    (n, v, g) -> range(n, v, g.consumerMinSessionTimeoutMs(), g.consumerMaxSessionTimeoutMs())),
            new Key("errors.deadletterqueue.copy.record.enable", TopicConfigs.Type.BOOLEAN, null, b -> "false", GroupConfigs::bool),
            new Key("errors.deadletterqueue.topic.name", TopicConfigs.Type.STRING, null, b -> "", (n, v, g) -> {
                if (v.startsWith("__")) {
                    throw new InvalidConfigurationException(n + ": DLQ topic name must not start with '__'");
                }
            }),
            new Key("share.auto.offset.reset", TopicConfigs.Type.STRING, null, b -> "latest", GroupConfigs::autoOffsetReset),
            new Key("share.delivery.count.limit", TopicConfigs.Type.INT, "group.share.delivery.count.limit", b -> "5",
                    (n, v, g) -> range(n, v, 2, 10)),
            new Key("share.heartbeat.interval.ms", TopicConfigs.Type.INT, "group.share.heartbeat.interval.ms", b -> "5000",
                    (n, v, g) -> range(n, v, 5_000, 15_000)),
            new Key("share.isolation.level", TopicConfigs.Type.STRING, null, b -> "read_uncommitted", (n, v, g) -> {
                if (!v.equals("read_committed") && !v.equals("read_uncommitted")) {
                    throw invalid(n, v, "String must be one of: read_committed, read_uncommitted");
                }
            }),
            new Key("share.partition.max.record.locks", TopicConfigs.Type.INT, "group.share.partition.max.record.locks", b -> "2000",
                    (n, v, g) -> {
                        atLeast(n, v, 100);
                        range(n, v, 100, 4_000);
                    }),
            new Key("share.record.lock.duration.ms", TopicConfigs.Type.INT, "group.share.record.lock.duration.ms", b -> "30000",
                    (n, v, g) -> {
                        atLeast(n, v, 1_000);
                        range(n, v, 15_000, 60_000);
                    }),
            new Key("share.renew.acknowledge.enable", TopicConfigs.Type.BOOLEAN, null, b -> "true", GroupConfigs::bool),
            new Key("share.session.timeout.ms", TopicConfigs.Type.INT, "group.share.session.timeout.ms", b -> "45000",
                    (n, v, g) -> range(n, v, 45_000, 60_000)));

    private static final Map<String, Key> BY_NAME = new LinkedHashMap<>();

    static {
        KEYS.forEach(k -> BY_NAME.put(k.name(), k));
    }

    private static final String KIND = "groups";

    private final MetadataStore store;
    private final Supplier<BrokerConfig> broker;
    private volatile Map<String, Map<String, String>> overrides;

    public GroupConfigs(TopicRegistry registry, Supplier<BrokerConfig> broker) {
        this.store = registry.store();
        this.broker = broker;
        this.overrides = store.resourceConfigs(KIND);
    }

    /** Every group config Brook knows, in name order. */
    public static List<Key> keys() {
        return KEYS;
    }

    /** The config's current default for a group that does not set it. */
    public String defaultValue(Key key) {
        return key.defaultValue().apply(broker.get());
    }

    /** The configs group {@code groupId} sets itself (empty when none). */
    public Map<String, String> overrides(String groupId) {
        return overrides.getOrDefault(groupId, Map.of());
    }

    /** The groups that set any config, with what they set. */
    public Map<String, Map<String, String>> all() {
        return overrides;
    }

    /**
     * The coordinator settings for one group: the broker's, with the group's own consumer session timeout and
     * heartbeat interval where it sets them.
     */
    public GroupConfig forGroup(String groupId, GroupConfig base) {
        Map<String, String> own = overrides.get(groupId);
        if (own == null) {
            return base;
        }
        GroupConfig g = base;
        String session = own.get("consumer.session.timeout.ms");
        if (session != null) {
            g = g.withConsumerSessionTimeoutMs(Integer.parseInt(session));
        }
        String heartbeat = own.get("consumer.heartbeat.interval.ms");
        if (heartbeat != null) {
            g = g.withConsumerHeartbeatIntervalMs(Integer.parseInt(heartbeat));
        }
        return g;
    }

    /**
     * Replaces group {@code groupId}'s own configs with {@code next} (empty: back to the broker's for all).
     *
     * @throws InvalidConfigurationException when a name is unknown or a value not allowed
     */
    public synchronized void alter(String groupId, Map<String, String> next, boolean validateOnly) {
        GroupConfig bounds = broker.get().groups();
        for (Map.Entry<String, String> e : next.entrySet()) {
            Key key = BY_NAME.get(e.getKey());
            if (key == null) {
                throw new InvalidConfigurationException("Unknown group config name: " + e.getKey());
            }
            String value = e.getValue() == null ? "" : e.getValue().trim();
            if (key.type() == TopicConfigs.Type.INT) {
                parseInt(key.name(), value);
            }
            key.validator().check(key.name(), value, bounds);
        }
        if (validateOnly) {
            return;
        }
        Map<String, Map<String, String>> all = new TreeMap<>(overrides);
        if (next.isEmpty()) {
            all.remove(groupId);
        } else {
            Map<String, String> own = new TreeMap<>();
            next.forEach((k, v) -> own.put(k, v == null ? "" : v.trim()));
            all.put(groupId, Collections.unmodifiableMap(own));
        }
        store.saveResourceConfigs(KIND, all);
        overrides = Collections.unmodifiableMap(all);
    }

    private static int parseInt(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw invalid(name, value, "Not a number of type INT");
        }
    }

    private static void range(String name, String value, int min, int max) {
        int v = parseInt(name, value);
        if (v < min || v > max) {
            throw new InvalidConfigurationException(name + " must be in the range " + min + " to " + max + " inclusive.");
        }
    }

    private static void atLeast(String name, String value, int min) {
        if (parseInt(name, value) < min) {
            throw invalid(name, value, "Value must be at least " + min);
        }
    }

    private static void bool(String name, String value, GroupConfig unused) {
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw invalid(name, value, "Expected value to be either true or false");
        }
    }

    private static void autoOffsetReset(String name, String value, GroupConfig unused) {
        boolean ok = value.equals("earliest") || value.equals("latest");
        if (!ok && value.startsWith("by_duration:")) {
            try {
                ok = !Duration.parse(value.substring("by_duration:".length())).isNegative();
            } catch (DateTimeParseException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw invalid(name, value, "Invalid value `" + value + "` for configuration " + name
                    + ". The value must be either 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS>'.");
        }
    }

    private static InvalidConfigurationException invalid(String name, String value, String why) {
        return new InvalidConfigurationException("Invalid value " + value + " for configuration " + name + ": " + why);
    }
}
