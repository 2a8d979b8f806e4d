package dev.brook.broker.cluster;

import dev.brook.broker.BrokerConfig;
import dev.brook.broker.BrokerConfigException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * The broker's configuration as it is now: the static config it was started with, plus the dynamic
 * overrides an operator set through IncrementalAlterConfigs, which are persisted and survive restarts
 * (Kafka's DYNAMIC_DEFAULT_BROKER_CONFIG). Precedence: dynamic, then static, then default.
 *
 * <p>Only the settings that can change safely at run time are dynamic: topic defaults ({@code log.*}),
 * {@code message.max.bytes}, {@code auto.create.topics.enable} and {@code num.partitions}. Changing a
 * {@code log.*} default re-applies it at once to every topic that does not override it. Thread-safe; reads
 * are lock-free.
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

    /** Where a broker config's current value comes from. */
    public enum Source { DYNAMIC, STATIC, DEFAULT }

    private final BrokerConfig staticConfig;
    private final TopicRegistry registry;
    private volatile Map<String, String> dynamic;
    private volatile BrokerConfig current;

    /** Loads persisted dynamic overrides and applies them on top of {@code staticConfig}. */
    public DynamicBrokerConfig(BrokerConfig staticConfig, TopicRegistry registry) {
        this.staticConfig = staticConfig;
        this.registry = registry;
        Map<String, String> stored = registry.store().dynamicBrokerConfigs();
        BrokerConfig applied;
        try {
            applied = staticConfig.with(stored);
        } catch (BrokerConfigException e) {
            throw new BrokerConfigException(e.key(), "(stored dynamic config)", e.getMessage());
        }
        this.dynamic = Map.copyOf(stored);
        this.current = applied;
        if (!stored.isEmpty()) {
            registry.setBrokerDefaults(applied.logDefaults());
        }
        registry.logManager().startCleaner(applied.cleaner());
        registry.logManager().producerIdExpirationMs(applied.producerIdExpirationMs());
    }

    public BrokerConfig current() {
        return current;
    }

    public Map<String, String> dynamicOverrides() {
        return dynamic;
    }

    public Source source(String key) {
        if (dynamic.containsKey(key)) {
            return Source.DYNAMIC;
        }
        String staticValue = staticConfig.describe().get(key);
        String defaultValue = BrokerConfig.defaults().describe().get(key);
        return staticValue != null && !staticValue.equals(defaultValue) ? Source.STATIC : Source.DEFAULT;
    }

    /** The value the broker would have without dynamic overrides. */
    public String staticValue(String key) {
        return staticConfig.describe().get(key);
    }

    /**
     * Replaces the dynamic overrides.
     *
     * @throws InvalidRequestException      when a key cannot be changed at run time
     * @throws InvalidConfigurationException when a value is malformed
     */
    public synchronized void alter(Map<String, String> newDynamic, boolean validateOnly) {
        for (String key : newDynamic.keySet()) {
            if (!DYNAMIC_KEYS.contains(key)) {
                throw new InvalidRequestException("Broker config " + key + " cannot be changed while the broker runs; dynamic configs are " + String.join(", ", new java.util.TreeSet<>(DYNAMIC_KEYS)));
            }
        }
        BrokerConfig applied;
        try {
            applied = staticConfig.with(newDynamic);
        } catch (BrokerConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
        if (validateOnly) {
            return;
        }
        registry.store().saveDynamicBrokerConfigs(newDynamic);
        dynamic = Map.copyOf(newDynamic);
        current = applied;
        registry.setBrokerDefaults(applied.logDefaults());
        registry.logManager().startCleaner(applied.cleaner());
        registry.logManager().producerIdExpirationMs(applied.producerIdExpirationMs());
    }
}
