package dev.brook.broker.cluster;

import dev.brook.broker.BrokerConfigException;
import dev.brook.log.Log;
import dev.brook.log.LogCleaner;
import dev.brook.log.LogConfig;
import dev.brook.log.LogException;
import dev.brook.log.LogManager;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every topic on this broker, by name and by topic ID, with its partitions' logs; the single place where
 * topics are created, grown, reconfigured and deleted, durably (see {@link MetadataStore}).
 *
 * <p>Threads: lookups run lock-free on any thread against immutable {@link Topic}
 * snapshots; changes are serialized by this object's lock and publish a new snapshot when done. Failures are
 * kafka-clients' own typed exceptions ({@link TopicExistsException}, {@link InvalidConfigurationException},
 * ...), so each becomes the right Kafka error code in the response.
 */
public final class TopicRegistry {
    private static final Logger log = LoggerFactory.getLogger(TopicRegistry.class);

    private final MetadataStore store;
    private final LogManager logs;
    private final AppendListener appendListener;
    private final ConcurrentHashMap<String, Topic> byName = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Uuid, Topic> byId = new ConcurrentHashMap<>();
    private volatile LogConfig brokerDefaults;
    private final java.util.List<java.util.function.Consumer<String>> deletionListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile java.util.function.Predicate<String> memoryByDefault = name -> false;

    /** Loads every stored topic and opens its logs (recovering them after an unclean shutdown). */
    /** The data directory's logs (and their cleaner). */
    public LogManager logManager() {
        return logs;
    }

    public TopicRegistry(LogManager logs, LogConfig brokerDefaults, AppendListener appendListener) {
        this.store = new MetadataStore(logs.dataDir());
        this.logs = logs;
        this.brokerDefaults = brokerDefaults;
        this.appendListener = appendListener;
        for (MetadataStore.StoredTopic stored : store.loadTopics()) {
            LogConfig config = TopicConfigs.toLogConfig(brokerDefaults, stored.overrides());
            List<Partition> partitions = new ArrayList<>();
            for (int i = 0; i < stored.partitions(); i++) {
                partitions.add(openPartition(new TopicPartition(stored.name(), i), stored.id(), config, false,
                        TopicConfigs.inMemory(stored.overrides())));
            }
            publish(new Topic(stored.name(), stored.id(), partitions, stored.overrides()));
        }
        log.debug("Loaded {} topics", byName.size());
    }

    MetadataStore store() {
        return store;
    }

    public Topic topic(String name) {
        return name == null ? null : byName.get(name);
    }

    public Topic topic(Uuid id) {
        return id == null ? null : byId.get(id);
    }

    public Collection<Topic> topics() {
        return byName.values();
    }

    public Partition partition(TopicPartition tp) {
        Topic t = byName.get(tp.topic());
        return t == null ? null : t.partition(tp.partition());
    }

    /** Tells {@code listener} the name of every topic deleted from now on (on the deleting thread). */
    public void onTopicDeleted(java.util.function.Consumer<String> listener) {
        deletionListeners.add(listener);
    }

    public LogConfig brokerDefaults() {
        return brokerDefaults;
    }

    /**
     * Validates a topic creation without doing it.
     *
     * @throws org.apache.kafka.common.errors.InvalidTopicException for an illegal name
     */
    public void validateCreate(String name, int partitions, Map<String, String> overrides) {
        org.apache.kafka.common.internals.Topic.validate(name);
        if (byName.containsKey(name)) {
            throw new TopicExistsException("Topic '" + name + "' already exists.");
        }
        if (partitions < 1) {
            throw new InvalidPartitionsException("Number of partitions must be at least 1, got " + partitions);
        }
        if (partitions > 100_000) {
            throw new InvalidPartitionsException("Number of partitions " + partitions + " is more than one broker should hold");
        }
        validateConfigs(overrides);
    }

    /**
     * Which topics are created in memory when their configs do not name a storage (the broker's
     * {@code brook.memory.topics}); the choice is stored with the topic, as if it had been asked for.
     */
    public void memoryByDefault(java.util.function.Predicate<String> which) {
        this.memoryByDefault = which;
    }

    /** The configs a topic created with {@code overrides} is stored with: those, plus the storage it gets by default. */
    public Map<String, String> storedConfigs(String name, Map<String, String> overrides) {
        Map<String, String> cfg = new TreeMap<>(overrides);
        if (!cfg.containsKey(TopicConfigs.STORAGE) && memoryByDefault.test(name)) {
            cfg.put(TopicConfigs.STORAGE, "memory");
        }
        return cfg;
    }

    /** Creates a topic with a fresh topic ID; durable once this returns. */
    public synchronized Topic create(String name, int partitions, Map<String, String> overrides) {
        validateCreate(name, partitions, overrides);
        Uuid id = Uuid.randomUuid();
        Map<String, String> cfg = storedConfigs(name, overrides);
        LogConfig config = TopicConfigs.toLogConfig(brokerDefaults, cfg);
        List<Partition> list = new ArrayList<>();
        try {
            for (int i = 0; i < partitions; i++) {
                list.add(openPartition(new TopicPartition(name, i), id, config, true, TopicConfigs.inMemory(cfg)));
            }
            store.saveTopic(new MetadataStore.StoredTopic(name, id, partitions, cfg));
        } catch (UncheckedIOException | LogException e) {
            for (Partition p : list) {
                logs.deleteLog(p.topicPartition());
            }
            throw new KafkaStorageException("cannot create topic " + name + ": " + e.getMessage(), e);
        }
        Topic topic = new Topic(name, id, list, cfg);
        publish(topic);
        log.info("Created topic {} with {} partitions and configs {}", name, partitions, cfg);
        return topic;
    }

    /** Creates one of Brook's own internal topics (names starting with "__"), bypassing the user-facing checks. */
    public synchronized Topic createInternal(String name, int partitions, Map<String, String> overrides) {
        Topic existing = byName.get(name);
        return existing != null ? existing : create(name, partitions, overrides);
    }

    /** Deletes a topic and its data. */
    public synchronized void delete(String name) {
        if (org.apache.kafka.common.internals.Topic.isInternal(name)) {
            throw new org.apache.kafka.common.errors.InvalidTopicException("Topic " + name + " is internal to the broker and cannot be deleted");
        }
        Topic topic = byName.get(name);
        if (topic == null) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        }
        store.deleteTopic(name);
        byName.remove(name);
        byId.remove(topic.id());
        for (Partition p : topic.partitions()) {
            logs.deleteLog(p.topicPartition());
        }
        deletionListeners.forEach(l -> l.accept(name));
        log.info("Deleted topic {}", name);
    }

    /** Validates growing a topic to {@code total} partitions without doing it. */
    public void validateAddPartitions(String name, int total) {
        Topic topic = byName.get(name);
        if (topic == null) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        }
        int current = topic.partitions().size();
        if (total <= current) {
            throw new InvalidPartitionsException("Topic currently has " + current + " partitions, which is higher than or equal to the requested " + total + ".");
        }
        if (total > 100_000) {
            throw new InvalidPartitionsException("Number of partitions " + total + " is more than one broker should hold");
        }
    }

    /** Grows a topic to {@code total} partitions; partitions are never removed. */
    public synchronized Topic addPartitions(String name, int total) {
        validateAddPartitions(name, total);
        Topic topic = byName.get(name);
        LogConfig config = TopicConfigs.toLogConfig(brokerDefaults, topic.overrides());
        List<Partition> list = new ArrayList<>(topic.partitions());
        for (int i = list.size(); i < total; i++) {
            list.add(openPartition(new TopicPartition(name, i), topic.id(), config, true, TopicConfigs.inMemory(topic.overrides())));
        }
        store.saveTopic(new MetadataStore.StoredTopic(name, topic.id(), total, topic.overrides()));
        Topic grown = new Topic(name, topic.id(), list, topic.overrides());
        publish(grown);
        log.info("Topic {} now has {} partitions", name, total);
        return grown;
    }

    /** Replaces a topic's config overrides (already validated) and applies them to its logs. */
    public synchronized Topic setConfigs(String name, Map<String, String> overrides) {
        Topic topic = byName.get(name);
        if (topic == null) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        }
        try {
            TopicConfigs.validateAlteration(topic.overrides(), overrides);
        } catch (BrokerConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
        Map<String, String> cfg = new TreeMap<>(overrides);
        store.saveTopic(new MetadataStore.StoredTopic(name, topic.id(), topic.partitions().size(), cfg));
        Topic updated = new Topic(name, topic.id(), topic.partitions(), cfg);
        publish(updated);
        LogConfig config = TopicConfigs.toLogConfig(brokerDefaults, cfg);
        topic.partitions().forEach(p -> p.storage().updateConfig(config));
        logs.cleaner().ifPresent(LogCleaner::wakeUp); // a lowered lag or ratio may make it due now
        log.info("Topic {} configs are now {}", name, cfg);
        return updated;
    }

    /** New broker-wide defaults: every topic's logs pick up the values they do not override. */
    public synchronized void setBrokerDefaults(LogConfig defaults) {
        this.brokerDefaults = defaults;
        for (Topic t : byName.values()) {
            LogConfig config = TopicConfigs.toLogConfig(defaults, t.overrides());
            t.partitions().forEach(p -> p.storage().updateConfig(config));
        }
        logs.cleaner().ifPresent(LogCleaner::wakeUp);
    }

    static void validateConfigs(Map<String, String> overrides) {
        try {
            TopicConfigs.validateAll(overrides);
        } catch (BrokerConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
    }

    private Partition openPartition(TopicPartition tp, Uuid id, LogConfig config, boolean fresh, boolean inMemory) {
        if (inMemory) {
            return new Partition(tp, id, logs.openMemoryLog(tp, config), appendListener);
        }
        if (fresh && logs.log(tp).isEmpty() && java.nio.file.Files.exists(logs.dirOf(tp))) {
            // leftovers of a topic of the same name whose deletion was interrupted: never resurrect its data
            logs.openLog(tp, config);
            logs.deleteLog(tp);
        }
        Log partitionLog = logs.openLog(tp, config);
        return new Partition(tp, id, partitionLog, appendListener);
    }

    private void publish(Topic topic) {
        byName.put(topic.name(), topic);
        byId.put(topic.id(), topic);
    }
}
