package dev.brook.broker;

import dev.brook.broker.group.GroupConfig;
import dev.brook.broker.txn.TransactionConfig;
import dev.brook.log.Compaction;
import dev.brook.log.LogCleaner;
import dev.brook.log.LogConfig;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.record.TimestampType;

/**
 * Broker settings. Keys accepted by {@link #fromProperties} use Kafka's names where Kafka has one, so an
 * operator's {@code server.properties} knowledge carries over; unknown or malformed values fail fast with a
 * {@link BrokerConfigException} naming the key.
 *
 * @param host                     address to listen on ({@code 127.0.0.1} by default)
 * @param port                     port to listen on; 0 picks a free one
 * @param dataDir                  where logs and metadata live
 * @param nodeId                   {@code node.id}
 * @param autoCreateTopics         {@code auto.create.topics.enable}
 * @param defaultPartitions        {@code num.partitions} for auto-created topics and CreateTopics with -1
 * @param maxRequestBytes          {@code socket.request.max.bytes}: larger frames are refused and the connection closed
 * @param fsyncOnAcksAll           {@code brook.acks.all.fsync}: acknowledge acks=all produce only after fsync
 * @param groupCommitIntervalMicros {@code brook.group.commit.interval.us}: the shortest time between the starts of two
 *                                 group-commit fsync rounds
 * @param retentionCheckIntervalMs {@code log.retention.check.interval.ms}
 * @param flushCheckIntervalMs     {@code log.flush.scheduler.interval.ms}: how often topics' {@code flush.ms} is checked
 *                                 (100 ms; Kafka's default never checks)
 * @param idleConnectionTimeoutMs  {@code connections.max.idle.ms}
 * @param logDefaults              broker-wide defaults for topic configs ({@code log.segment.bytes}, {@code log.retention.ms}, ...)
 * @param groups                   group coordinator settings ({@code group.*}, {@code offsets.retention.ms}, ...)
 * @param memoryTopics             {@code brook.memory.topics}: a Java regular expression; a topic whose whole name
 *                                 matches is created with {@code brook.storage=memory} unless it names its storage
 *                                 itself (empty, the default: none), so tools that refuse unknown topic configs, such as
 *                                 Kafka's {@code kafka-topics.sh}, and auto-creation can make in-memory topics
 * @param producerIdExpirationMs   {@code producer.id.expiration.ms}: an idempotent producer whose last batch is this old
 *                                 is forgotten by the partitions it wrote to (1 day)
 * @param cleaner                  the log cleaner's settings ({@code log.cleaner.*}; the topic defaults among them,
 *                                 such as {@code log.cleaner.delete.retention.ms}, are in {@code logDefaults})
 * @param advertised               {@code advertised.listeners}' entry for the served listener: the address Metadata gives
 *                                 clients; null: the bound address ({@code localhost} when bound to every interface)
 * @param transactions             the transaction coordinator's settings ({@code transaction.*})
 * @param shareGroups              {@code brook.share.enable}: serve share groups (KIP-932), on by default; off, the
 *                                 share APIs are not advertised and share consumers fail at once
 */
public record BrokerConfig(
        String host,
        int port,
        Path dataDir,
        int nodeId,
        boolean autoCreateTopics,
        int defaultPartitions,
        int maxRequestBytes,
        boolean fsyncOnAcksAll,
        long groupCommitIntervalMicros,
        long retentionCheckIntervalMs,
        long flushCheckIntervalMs,
        long idleConnectionTimeoutMs,
        LogConfig logDefaults,
        GroupConfig groups,
        String memoryTopics,
        long producerIdExpirationMs,
        LogCleaner.Settings cleaner,
        Listeners.Endpoint advertised,
        TransactionConfig transactions,
        boolean shareGroups) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9092;
    /** See docs/benchmarks.md: fewer, larger fsyncs where acks=all requests arrive faster than one per millisecond. */
    public static final long DEFAULT_GROUP_COMMIT_INTERVAL_US = 1_000;

    public BrokerConfig {
        if (port < 0 || port > 65535) {
            throw new BrokerConfigException("port", String.valueOf(port), "must be between 0 and 65535");
        }
        if (defaultPartitions < 1) {
            throw new BrokerConfigException("num.partitions", String.valueOf(defaultPartitions), "must be at least 1");
        }
        if (maxRequestBytes < 1024) {
            throw new BrokerConfigException("socket.request.max.bytes", String.valueOf(maxRequestBytes), "must be at least 1024");
        }
        memoryTopics = memoryTopics == null ? "" : memoryTopics.trim();
        try {
            java.util.regex.Pattern.compile(memoryTopics);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new BrokerConfigException("brook.memory.topics", memoryTopics, "not a regular expression: " + e.getDescription());
        }
    }

    /** Whether a topic of this name is created in memory when it does not say ({@link #memoryTopics}). */
    public boolean memoryByDefault(String topic) {
        return !memoryTopics.isEmpty() && !topic.startsWith("__") && java.util.regex.Pattern.matches(memoryTopics, topic);
    }

    /** 127.0.0.1:9092, data in {@code ./brook-data}, Kafka's defaults elsewhere. */
    public static BrokerConfig defaults() {
        return new BrokerConfig(DEFAULT_HOST, DEFAULT_PORT, Paths.get("brook-data"), 1, true, 1,
                100 * 1024 * 1024, true, DEFAULT_GROUP_COMMIT_INTERVAL_US, 300_000L, 100L, 600_000L,
                LogConfig.defaults(), GroupConfig.defaults(), "", 86_400_000L, LogCleaner.Settings.DEFAULTS, null, TransactionConfig.defaults(), true);
    }

    public BrokerConfig withListener(String host, int port) {
        return new BrokerConfig(host, port, dataDir, nodeId, autoCreateTopics, defaultPartitions, maxRequestBytes,
                fsyncOnAcksAll, groupCommitIntervalMicros, retentionCheckIntervalMs, flushCheckIntervalMs,
                idleConnectionTimeoutMs, logDefaults, groups, memoryTopics, producerIdExpirationMs, cleaner, advertised, transactions, shareGroups);
    }

    public BrokerConfig withDataDir(Path dataDir) {
        return new BrokerConfig(host, port, dataDir, nodeId, autoCreateTopics, defaultPartitions, maxRequestBytes,
                fsyncOnAcksAll, groupCommitIntervalMicros, retentionCheckIntervalMs, flushCheckIntervalMs,
                idleConnectionTimeoutMs, logDefaults, groups, memoryTopics, producerIdExpirationMs, cleaner, advertised, transactions, shareGroups);
    }

    /**
     * Applies Kafka-named overrides on top of this config, e.g. {@code auto.create.topics.enable=false}.
     *
     * @throws BrokerConfigException for an unknown key or a malformed value
     */
    public BrokerConfig with(Map<String, String> overrides) {
        Map<String, String> all = new LinkedHashMap<>(overrides);
        String h = host;
        int p = port;
        Path dir = dataDir;
        int id = nodeId;
        boolean auto = autoCreateTopics;
        int parts = defaultPartitions;
        int maxReq = maxRequestBytes;
        boolean fsync = fsyncOnAcksAll;
        long groupCommit = groupCommitIntervalMicros;
        long retCheck = retentionCheckIntervalMs;
        long flushCheck = flushCheckIntervalMs;
        long idle = idleConnectionTimeoutMs;
        LogConfig log = logDefaults;
        GroupConfig g = groups;
        String memory = memoryTopics;
        boolean share = shareGroups;
        LogCleaner.Settings cl = cleaner;
        TransactionConfig txn = transactions;
        long producerExpiry = producerIdExpirationMs;
        Listeners.Endpoint adv = advertised;
        String listenersKey = "listeners";
        String listeners = null;
        String controllerNames = "";
        String protocolMap = "";
        String advertisedListeners = null;
        String servedName = "PLAINTEXT";
        for (Map.Entry<String, String> e : all.entrySet()) {
            String k = e.getKey().trim();
            String v = e.getValue().trim();
            switch (k) {
                case "listeners", "listen" -> {
                    listenersKey = k;
                    listeners = v;
                }
                case "controller.listener.names" -> controllerNames = v;
                case "listener.security.protocol.map" -> protocolMap = v;
                case "advertised.listeners" -> advertisedListeners = v;
                case "process.roles" -> {
                    if (!Arrays.asList(v.replace(" ", "").split(",")).contains("broker")) {
                        throw new BrokerConfigException(k, v, "Brook is a broker (and its own controller): the roles must include broker");
                    }
                }
                case "offsets.topic.replication.factor", "transaction.state.log.replication.factor", "transaction.state.log.min.isr",
                     "share.coordinator.state.topic.replication.factor", "share.coordinator.state.topic.min.isr",
                     "default.replication.factor", "min.insync.replicas" -> {
                    if (parseInt(k, v) != 1) {
                        throw new BrokerConfigException(k, v, "Brook is a single node: it keeps one copy of each partition, so this must be 1");
                    }
                }
                case "controller.quorum.voters", "controller.quorum.bootstrap.servers", "inter.broker.listener.name",
                     "num.network.threads", "num.io.threads", "socket.send.buffer.bytes", "socket.receive.buffer.bytes",
                     "num.recovery.threads.per.data.dir", "num.replica.fetchers", "background.threads", "queued.max.requests",
                     "offsets.topic.num.partitions", "transaction.state.log.num.partitions",
                     "share.coordinator.state.topic.num.partitions", "metadata.log.dir", "log.cleaner.io.buffer.size",
                     "log.cleaner.io.buffer.load.factor" -> {
                    // Kafka settings with nothing to set in one Brook process (its threads, buffers, controller quorum and
                    // internal-topic layouts are its own), accepted so that a Kafka server.properties starts Brook
                }
                case "log.dirs", "log.dir", "data.dir" -> dir = Paths.get(v);
                case "node.id", "broker.id" -> id = parseInt(k, v);
                case "auto.create.topics.enable" -> auto = parseBool(k, v);
                case "num.partitions" -> parts = parseInt(k, v);
                case "socket.request.max.bytes" -> maxReq = parseInt(k, v);
                case "brook.acks.all.fsync" -> fsync = parseBool(k, v);
                case "brook.group.commit.interval.us" -> groupCommit = atLeast(k, v, 0);
                case "log.retention.check.interval.ms" -> retCheck = parseLong(k, v);
                case "log.flush.scheduler.interval.ms" -> flushCheck = atLeast(k, v, 1);
                case "log.flush.interval.messages" -> log = log.withFlushMessages(atLeast(k, v, 1));
                case "log.flush.interval.ms" -> log = log.withFlushMs(atLeast(k, v, 0));
                case "connections.max.idle.ms" -> idle = parseLong(k, v);
                case "log.segment.bytes" -> log = log.withSegmentBytes(parseInt(k, v));
                case "log.roll.ms" -> log = log.withSegmentMs(parseLong(k, v));
                case "log.retention.ms" -> log = log.withRetentionMs(parseLong(k, v));
                case "log.retention.hours" -> log = log.withRetentionMs(parseLong(k, v) * 3_600_000L);
                case "log.retention.bytes" -> log = log.withRetentionBytes(parseLong(k, v));
                case "log.index.interval.bytes" -> log = log.withIndexIntervalBytes(parseInt(k, v));
                case "log.index.size.max.bytes" -> log = log.withSegmentIndexBytes(parseInt(k, v));
                case "message.max.bytes" -> log = log.withMaxMessageBytes(parseInt(k, v));
                case "log.message.timestamp.type" -> log = log.withTimestampType(parseTimestampType(k, v));
                case "log.message.timestamp.before.max.ms" -> log = log.withTimestampBeforeMaxMs(atLeast(k, v, 0));
                case "log.message.timestamp.after.max.ms" -> log = log.withTimestampAfterMaxMs(atLeast(k, v, 0));
                case "group.min.session.timeout.ms" -> g = g.withMinSessionTimeoutMs(parseInt(k, v));
                case "group.max.session.timeout.ms" -> g = g.withMaxSessionTimeoutMs(parseInt(k, v));
                case "group.initial.rebalance.delay.ms" -> g = g.withInitialRebalanceDelayMs(parseInt(k, v));
                case "group.max.size" -> g = g.withMaxGroupSize(parseInt(k, v));
                case "offsets.retention.minutes" -> g = g.withOffsetsRetentionMs(parseLong(k, v) * 60_000L);
                case "offsets.retention.ms" -> g = g.withOffsetsRetentionMs(parseLong(k, v));
                case "offset.metadata.max.bytes" -> g = g.withOffsetMetadataMaxBytes(parseInt(k, v));
                case "group.consumer.session.timeout.ms" -> g = g.withConsumerSessionTimeoutMs(parseInt(k, v));
                case "group.consumer.heartbeat.interval.ms" -> g = g.withConsumerHeartbeatIntervalMs(parseInt(k, v));
                case "group.consumer.min.session.timeout.ms" -> g = g.withConsumerMinSessionTimeoutMs(parseInt(k, v));
                case "group.consumer.max.session.timeout.ms" -> g = g.withConsumerMaxSessionTimeoutMs(parseInt(k, v));
                case "group.consumer.min.heartbeat.interval.ms" -> g = g.withConsumerMinHeartbeatIntervalMs(parseInt(k, v));
                case "group.consumer.max.heartbeat.interval.ms" -> g = g.withConsumerMaxHeartbeatIntervalMs(parseInt(k, v));
                case "brook.memory.topics" -> memory = v;
                case "brook.share.enable" -> share = parseBool(k, v);
                case "producer.id.expiration.ms" -> producerExpiry = atLeast(k, v, 1);
                case "log.cleaner.enable" -> cl = new LogCleaner.Settings(parseBool(k, v), cl.threads(), cl.dedupeBufferBytes(),
                        cl.ioMaxBytesPerSecond(), cl.backoffMs());
                case "log.cleaner.threads" -> cl = new LogCleaner.Settings(cl.enabled(), (int) atLeast(k, v, 1), cl.dedupeBufferBytes(),
                        cl.ioMaxBytesPerSecond(), cl.backoffMs());
                case "log.cleaner.dedupe.buffer.size" -> cl = new LogCleaner.Settings(cl.enabled(), cl.threads(),
                        atLeast(k, v, 1 << 20), cl.ioMaxBytesPerSecond(), cl.backoffMs());
                case "log.cleaner.io.max.bytes.per.second" -> cl = new LogCleaner.Settings(cl.enabled(), cl.threads(),
                        cl.dedupeBufferBytes(), parsePositiveDouble(k, v), cl.backoffMs());
                case "log.cleaner.backoff.ms" -> cl = new LogCleaner.Settings(cl.enabled(), cl.threads(), cl.dedupeBufferBytes(),
                        cl.ioMaxBytesPerSecond(), atLeast(k, v, 0));
                case "log.cleaner.min.cleanable.ratio" -> log = log.withCompaction(new Compaction(parseRatio(k, v),
                        log.compaction().minCompactionLagMs(), log.compaction().maxCompactionLagMs(), log.compaction().deleteRetentionMs()));
                case "log.cleaner.min.compaction.lag.ms" -> log = log.withCompaction(new Compaction(log.compaction().minCleanableDirtyRatio(),
                        atLeast(k, v, 0), log.compaction().maxCompactionLagMs(), log.compaction().deleteRetentionMs()));
                case "log.cleaner.max.compaction.lag.ms" -> log = log.withCompaction(new Compaction(log.compaction().minCleanableDirtyRatio(),
                        log.compaction().minCompactionLagMs(), atLeast(k, v, 1), log.compaction().deleteRetentionMs()));
                case "log.cleaner.delete.retention.ms" -> log = log.withCompaction(new Compaction(log.compaction().minCleanableDirtyRatio(),
                        log.compaction().minCompactionLagMs(), log.compaction().maxCompactionLagMs(), atLeast(k, v, 0)));
                default -> {
                    if (!TransactionConfig.isKey(k)) {
                        throw new BrokerConfigException(k, v, "unknown broker config");
                    }
                    try {
                        txn = txn.with(k, atLeast(k, v, k.equals("brook.transaction.version") ? 0 : 1));
                    } catch (IllegalArgumentException bad) {
                        throw new BrokerConfigException(k, v, bad.getMessage());
                    }
                }
            }
        }
        if (listeners != null) {
            Listeners.Endpoint served = Listeners.served(listenersKey, listeners, controllerNames, protocolMap);
            h = served.host().isEmpty() ? DEFAULT_HOST : served.host();
            p = served.port();
            servedName = served.name();
        }
        if (advertisedListeners != null) {
            adv = Listeners.advertised(advertisedListeners, servedName);
        }
        return new BrokerConfig(h, p, dir, id, auto, parts, maxReq, fsync, groupCommit, retCheck, flushCheck, idle, log, g, memory,
                producerExpiry, cl, adv, txn, share);
    }

    /** The broker configs DescribeConfigs reports, as Kafka names them, with their current values. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("listeners", "PLAINTEXT://" + host + ":" + port);
        if (advertised != null) {
            m.put("advertised.listeners", advertised.name() + "://" + advertised.host() + ":" + advertised.port());
        }
        m.put("log.dirs", dataDir.toString());
        m.put("node.id", String.valueOf(nodeId));
        m.put("auto.create.topics.enable", String.valueOf(autoCreateTopics));
        m.put("num.partitions", String.valueOf(defaultPartitions));
        m.put("socket.request.max.bytes", String.valueOf(maxRequestBytes));
        m.put("brook.acks.all.fsync", String.valueOf(fsyncOnAcksAll));
        m.put("brook.group.commit.interval.us", String.valueOf(groupCommitIntervalMicros));
        m.put("log.retention.check.interval.ms", String.valueOf(retentionCheckIntervalMs));
        m.put("log.flush.scheduler.interval.ms", String.valueOf(flushCheckIntervalMs));
        m.put("log.flush.interval.messages", String.valueOf(logDefaults.flushMessages()));
        m.put("log.flush.interval.ms", String.valueOf(logDefaults.flushMs()));
        m.put("connections.max.idle.ms", String.valueOf(idleConnectionTimeoutMs));
        m.put("log.segment.bytes", String.valueOf(logDefaults.segmentBytes()));
        m.put("log.roll.ms", String.valueOf(logDefaults.segmentMs()));
        m.put("log.retention.ms", String.valueOf(logDefaults.retentionMs()));
        m.put("log.retention.bytes", String.valueOf(logDefaults.retentionBytes()));
        m.put("log.index.interval.bytes", String.valueOf(logDefaults.indexIntervalBytes()));
        m.put("log.index.size.max.bytes", String.valueOf(logDefaults.segmentIndexBytes()));
        m.put("message.max.bytes", String.valueOf(logDefaults.maxMessageBytes()));
        m.put("log.message.timestamp.type", logDefaults.timestampType().name);
        m.put("log.message.timestamp.before.max.ms", String.valueOf(logDefaults.timestampBeforeMaxMs()));
        m.put("log.message.timestamp.after.max.ms", String.valueOf(logDefaults.timestampAfterMaxMs()));
        m.put("group.min.session.timeout.ms", String.valueOf(groups.minSessionTimeoutMs()));
        m.put("group.max.session.timeout.ms", String.valueOf(groups.maxSessionTimeoutMs()));
        m.put("group.initial.rebalance.delay.ms", String.valueOf(groups.initialRebalanceDelayMs()));
        m.put("group.max.size", String.valueOf(groups.maxGroupSize()));
        m.put("offsets.retention.ms", String.valueOf(groups.offsetsRetentionMs()));
        m.put("offset.metadata.max.bytes", String.valueOf(groups.offsetMetadataMaxBytes()));
        m.put("group.consumer.session.timeout.ms", String.valueOf(groups.consumerSessionTimeoutMs()));
        m.put("group.consumer.heartbeat.interval.ms", String.valueOf(groups.consumerHeartbeatIntervalMs()));
        m.put("group.consumer.min.session.timeout.ms", String.valueOf(groups.consumerMinSessionTimeoutMs()));
        m.put("group.consumer.max.session.timeout.ms", String.valueOf(groups.consumerMaxSessionTimeoutMs()));
        m.put("group.consumer.min.heartbeat.interval.ms", String.valueOf(groups.consumerMinHeartbeatIntervalMs()));
        m.put("group.consumer.max.heartbeat.interval.ms", String.valueOf(groups.consumerMaxHeartbeatIntervalMs()));
        m.put("brook.memory.topics", memoryTopics);
        m.put("brook.share.enable", String.valueOf(shareGroups));
        m.put("producer.id.expiration.ms", String.valueOf(producerIdExpirationMs));
        m.put("log.cleaner.enable", String.valueOf(cleaner.enabled()));
        m.put("log.cleaner.threads", String.valueOf(cleaner.threads()));
        m.put("log.cleaner.dedupe.buffer.size", String.valueOf(cleaner.dedupeBufferBytes()));
        m.put("log.cleaner.io.max.bytes.per.second", String.valueOf(cleaner.ioMaxBytesPerSecond()));
        m.put("log.cleaner.backoff.ms", String.valueOf(cleaner.backoffMs()));
        m.put("log.cleaner.min.cleanable.ratio", String.valueOf(logDefaults.compaction().minCleanableDirtyRatio()));
        m.put("log.cleaner.min.compaction.lag.ms", String.valueOf(logDefaults.compaction().minCompactionLagMs()));
        m.put("log.cleaner.max.compaction.lag.ms", String.valueOf(logDefaults.compaction().maxCompactionLagMs()));
        m.put("log.cleaner.delete.retention.ms", String.valueOf(logDefaults.compaction().deleteRetentionMs()));
        transactions.describeInto(m);
        return m;
    }

    static int parseInt(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new BrokerConfigException(key, value, "not an integer");
        }
    }

    static long parseLong(String key, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new BrokerConfigException(key, value, "not an integer");
        }
    }

    static long atLeast(String key, String value, long min) {
        long v = parseLong(key, value);
        if (v < min) {
            throw new BrokerConfigException(key, value, "must be at least " + min);
        }
        return v;
    }

    static boolean parseBool(String key, String value) {
        return switch (value.trim().toLowerCase()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new BrokerConfigException(key, value, "must be true or false");
        };
    }

    static double parsePositiveDouble(String key, String value) {
        double d = parseDouble(key, value);
        if (!(d > 0)) {
            throw new BrokerConfigException(key, value, "must be greater than 0");
        }
        return d;
    }

    static double parseRatio(String key, String value) {
        double d = parseDouble(key, value);
        if (!(d >= 0 && d <= 1)) {
            throw new BrokerConfigException(key, value, "must be between 0 and 1");
        }
        return d;
    }

    private static double parseDouble(String key, String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new BrokerConfigException(key, value, "not a number");
        }
    }

    static TimestampType parseTimestampType(String key, String value) {
        return switch (value.trim()) {
            case "CreateTime" -> TimestampType.CREATE_TIME;
            case "LogAppendTime" -> TimestampType.LOG_APPEND_TIME;
            default -> throw new BrokerConfigException(key, value, "must be CreateTime or LogAppendTime");
        };
    }
}
