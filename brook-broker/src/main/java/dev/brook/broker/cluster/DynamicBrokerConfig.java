package dev.brook.broker.cluster;

import dev.brook.broker.BrokerConfig;
import dev.brook.broker.BrokerConfigException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * The broker's configuration as it is now: the static config it was started with, plus the dynamic overrides an
 * operator set through IncrementalAlterConfigs, at two scopes as Kafka has them: for this broker (resource name = its
 * node ID, Kafka's DYNAMIC_BROKER_CONFIG) and as the cluster-wide default (the empty resource name,
 * DYNAMIC_DEFAULT_BROKER_CONFIG). Both are persisted and survive restarts. Precedence: this broker's dynamic value,
 * then the cluster default, then static, then Brook's default.
 *
 * <p>Only the settings that can change safely at run time are dynamic: topic defaults ({@code log.*}),
 * {@code message.max.bytes}, {@code auto.create.topics.enable}, {@code num.partitions}, the cleaner's and the
 * producer-state expiry. Changing a {@code log.*} default re-applies it at once to every topic that does not override
 * it. Thread-safe; reads are lock-free.
 */
public final class DynamicBrokerConfig {
    /** Broker configs that may be altered while running. */
    public static final Set<String> DYNAMIC_KEYS = Set.of(
            "auto.create.topics.enable", "num.partitions", "log.retention.ms", "log.retention.bytes",
            "log.segment.bytes", "log.roll.ms", "log.index.interval.bytes", "message.max.bytes",
            "log.message.timestamp.type", "log.flush.interval.messages", "log.flush.interval.ms",
            "log.message.timestamp.before.max.ms", "log.message.timestamp.after.max.ms",
            "log.cleaner.threads", "log.cleaner.dedupe.buffer.size", "log.cleaner.io.max.bytes.per.second", "log.cleaner.backoff.ms",
            "log.cleaner.min.cleanable.ratio", "log.cleaner.min.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms",
            "log.cleaner.delete.retention.ms", "producer.id.expiration.ms");

    /** Where a broker config's current value comes from, in precedence order. */
    public enum Source { DYNAMIC_BROKER, DYNAMIC_DEFAULT, STATIC, DEFAULT }

    /** Which dynamic overrides an alteration replaces. */
    public enum Scope { BROKER, CLUSTER_DEFAULT }

    private final BrokerConfig staticConfig;
    private final TopicRegistry registry;
    private volatile Map<String, String> clusterDefaults;
    private volatile Map<String, String> brokerOverrides;
    private volatile BrokerConfig current;

    /** Loads persisted dynamic overrides and applies them on top of {@code staticConfig}. */
    public DynamicBrokerConfig(BrokerConfig staticConfig, TopicRegistry registry) {
        this.staticConfig = staticConfig;
        this.registry = registry;
        Map<String, String> defaults = registry.store().dynamicBrokerConfigs(null);
        Map<String, String> broker = registry.store().dynamicBrokerConfigs(staticConfig.nodeId());
        BrokerConfig applied;
        try {
            applied = staticConfig.with(merged(defaults, broker));
        } catch (BrokerConfigException e) {
            throw new BrokerConfigException(e.key(), "(stored dynamic config)", e.getMessage());
        }
        take(defaults, broker, applied, !defaults.isEmpty() || !broker.isEmpty());
    }

    public BrokerConfig current() {
        return current;
    }

    /** The dynamic overrides at one scope. */
    public Map<String, String> dynamicOverrides(Scope scope) {
        return scope == Scope.BROKER ? brokerOverrides : clusterDefaults;
    }

    public Source source(String key) {
        if (brokerOverrides.containsKey(key)) {
            return Source.DYNAMIC_BROKER;
        }
        if (clusterDefaults.containsKey(key)) {
            return Source.DYNAMIC_DEFAULT;
        }
        return staticSource(key);
    }

    /** Where the value without dynamic overrides comes from: the static config, or Brook's default. */
    public Source staticSource(String key) {
        String staticValue = staticConfig.describe().get(key);
        return staticValue != null && !staticValue.equals(defaultValue(key)) ? Source.STATIC : Source.DEFAULT;
    }

    /** The value the broker would have without dynamic overrides. */
    public String staticValue(String key) {
        return staticConfig.describe().get(key);
    }

    /** Brook's built-in default of a broker config. */
    public static String defaultValue(String key) {
        return BrokerConfig.defaults().describe().get(key);
    }

    /**
     * Replaces the dynamic overrides at one scope.
     *
     * @throws InvalidRequestException      when a key cannot be changed at run time
     * @throws InvalidConfigurationException when a value is malformed
     */
    public synchronized void alter(Scope scope, Map<String, String> newDynamic, boolean validateOnly) {
        for (String key : newDynamic.keySet()) {
            if (!DYNAMIC_KEYS.contains(key)) {
                throw new InvalidRequestException("Broker config " + key + " cannot be changed while the broker runs; dynamic configs are " + String.join(", ", new java.util.TreeSet<>(DYNAMIC_KEYS)));
            }
        }
        Map<String, String> defaults = scope == Scope.CLUSTER_DEFAULT ? newDynamic : clusterDefaults;
        Map<String, String> broker = scope == Scope.BROKER ? newDynamic : brokerOverrides;
        BrokerConfig applied;
        try {
            applied = staticConfig.with(merged(defaults, broker));
        } catch (BrokerConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
        if (validateOnly) {
            return;
        }
        registry.store().saveDynamicBrokerConfigs(scope == Scope.BROKER ? staticConfig.nodeId() : null, newDynamic);
        take(defaults, broker, applied, true);
    }

    /** Makes {@code applied} the current config and hands its run-time settings to the topics, cleaner and producers. */
    private void take(Map<String, String> defaults, Map<String, String> broker, BrokerConfig applied, boolean topicDefaults) {
        clusterDefaults = Map.copyOf(defaults);
        brokerOverrides = Map.copyOf(broker);
        current = applied;
        if (topicDefaults) {
            registry.setBrokerDefaults(applied.logDefaults());
        }
        registry.logManager().startCleaner(applied.cleaner());
        registry.logManager().producerIdExpirationMs(applied.producerIdExpirationMs());
    }

    private static Map<String, String> merged(Map<String, String> clusterDefaults, Map<String, String> brokerOverrides) {
        Map<String, String> m = new TreeMap<>(clusterDefaults);
        m.putAll(brokerOverrides);
        return m;
    }
}
