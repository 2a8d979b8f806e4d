package dev.brook.broker;

import dev.brook.broker.cluster.ClusterIdentity;
import dev.brook.broker.cluster.ClientMetricsSubscriptions;
import dev.brook.broker.cluster.DynamicBrokerConfig;
import dev.brook.broker.cluster.GroupConfigs;
import dev.brook.broker.cluster.TopicConfigs;
import dev.brook.broker.cluster.TopicRegistry;
import dev.brook.broker.group.GroupCoordinator;
import dev.brook.broker.txn.TransactionCoordinator;
import dev.brook.broker.handler.Apis;
import dev.brook.broker.share.SharePartitions;
import dev.brook.broker.handler.BrokerNode;
import dev.brook.broker.handler.DelayedFetches;
import dev.brook.broker.network.KafkaServer;
import dev.brook.log.DataDirectoryInUseException;
import dev.brook.log.Flusher;
import dev.brook.log.LogException;
import dev.brook.log.LogManager;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Brook broker: the network listener, the topics and their logs.
 *
 * <pre>
 *  start():  LogManager (recovery if the last shutdown was unclean) ─▶ TopicRegistry (topics, logs)
 *            ─▶ ClusterIdentity, DynamicBrokerConfig ─▶ Flusher ─▶ GroupCoordinator (replays offsets)
 *            ─▶ TransactionCoordinator (replays transaction state, settles what the last run left open)
 *            ─▶ handlers ─▶ KafkaServer.bind
 *  close():  KafkaServer.close (no new requests) ─▶ TransactionCoordinator.close ─▶ GroupCoordinator.close ─▶ Flusher.close
 *            ─▶ LogManager.close (flush, marker)
 * </pre>
 *
 * {@link #close} is idempotent and safe from a shutdown hook.
 */
public final class BrookBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrookBroker.class);

    private final LogManager logs;
    private final Flusher flusher;
    private final KafkaServer server;
    private final TopicRegistry topics;
    private final GroupCoordinator groups;
    private final TransactionCoordinator txns;
    private final BrokerNode node;
    private final Runnable stopShareTimer;
    private boolean closed;

    private BrookBroker(LogManager logs, Flusher flusher, KafkaServer server, TopicRegistry topics, GroupCoordinator groups,
                        TransactionCoordinator txns, BrokerNode node, Runnable stopShareTimer) {
        this.stopShareTimer = stopShareTimer;
        this.groups = groups;
        this.txns = txns;
        this.node = node;
        this.logs = logs;
        this.flusher = flusher;
        this.server = server;
        this.topics = topics;
    }

    /**
     * Work that starting a broker and answering its first requests needs, in independent pieces a launcher may run
     * on spare threads while its main thread reads its configuration and starts the broker: each loads and
     * initialises classes (logging, the protocol's message schemas, Netty's native transport and buffer allocator,
     * the UUID generator, topic configs, the log and group classes) and has no other effect. {@link #start} then
     * finds that work done, or waits for the piece it needs, instead of doing it all on one thread.
     */
    public static List<Runnable> preloads() {
        return List.of(
                () -> {
                    Uuid.randomUuid(); // the first one seeds SecureRandom
                    KafkaServer.preload();
                },
                () -> {
                    ApiKeys.METADATA.latestVersion();
                    for (Class<?> c : new Class<?>[] {TopicConfigs.class, LogManager.class, TopicRegistry.class,
                            GroupCoordinator.class, Apis.class}) {
                        try {
                            Class.forName(c.getName(), true, c.getClassLoader());
                        } catch (ClassNotFoundException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
    }

    /**
     * Starts a broker and returns once it accepts connections.
     *
     * @throws BrokerConfigException when the configuration (or a persisted dynamic config) is invalid
     * @throws BrokerStartException  when the data directory cannot be used or the address cannot be bound
     */
    public static BrookBroker start(BrokerConfig config) {
        LogManager logs;
        try {
            logs = LogManager.open(config.dataDir(), Clock.systemUTC(), config.retentionCheckIntervalMs(),
                    config.flushCheckIntervalMs());
        } catch (DataDirectoryInUseException e) {
            throw new BrokerStartException(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new BrokerStartException("cannot open data directory " + config.dataDir().toAbsolutePath() + ": " + e.getMessage(), e);
        }
        Flusher flusher = null;
        try {
            if (!logs.wasCleanShutdown()) {
                log.info("Logs of {} recovered", config.dataDir().toAbsolutePath());
            }
            DelayedFetches fetches = new DelayedFetches();
            TopicRegistry topics = new TopicRegistry(logs, config.logDefaults(), fetches);
            topics.memoryByDefault(config::memoryByDefault);
            ClusterIdentity identity = new ClusterIdentity(topics, config.nodeId());
            DynamicBrokerConfig dynamic = new DynamicBrokerConfig(config, topics);
            flusher = new Flusher("brook-flusher", config.groupCommitIntervalMicros() * 1_000);
            GroupConfigs groupConfigs = new GroupConfigs(topics, dynamic::current);
            BrokerNode node = new BrokerNode(config.nodeId(), identity, dynamic, topics, flusher, fetches, groupConfigs,
                    new ClientMetricsSubscriptions(topics));
            GroupCoordinator groups = GroupCoordinator.open(config.groups(), groupConfigs, topics, flusher);
            TransactionCoordinator txns = TransactionCoordinator.open(config.transactions(), topics, flusher, identity, groups);
            SharePartitions shares = null;
            Runnable stopShareTimer = () -> { };
            if (config.shareGroups()) {
                java.util.concurrent.ScheduledExecutorService lockTimer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "brook-share-locks");
                    t.setDaemon(true);
                    return t;
                });
                dev.brook.broker.cluster.Topic stateTopic = topics.topic(dev.brook.broker.share.ShareStateLog.TOPIC);
                var stateLog = new dev.brook.broker.share.ShareStateLog(stateTopic == null ? null : stateTopic.partition(0),
                        () -> topics.createInternal(dev.brook.broker.share.ShareStateLog.TOPIC, 1, java.util.Map.of("cleanup.policy", "compact",
                                "segment.bytes", String.valueOf(16 * 1024 * 1024))).partition(0), flusher);
                shares = new SharePartitions(topics, stateLog, groupConfigs, System::currentTimeMillis, lockTimer, fetches::onAppend);
                stopShareTimer = lockTimer::shutdownNow;
                shares.load(groups::shareGroupKnown);
            }
            KafkaServer server;
            try {
                server = KafkaServer.start(config.host(), config.port(), config.maxRequestBytes(),
                        config.idleConnectionTimeoutMs(), Apis.dispatcher(node, groups, txns, shares));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BrokerStartException("interrupted while binding", e);
            } catch (Exception e) {
                txns.close();
                groups.close();
                throw new BrokerStartException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
            }
            InetSocketAddress bound = server.localAddress();
            String advertisedHost = bound.getAddress().isAnyLocalAddress() ? "localhost" : config.host();
            node.advertise(config.advertised() != null
                    ? InetSocketAddress.createUnresolved(config.advertised().host(), config.advertised().port())
                    : InetSocketAddress.createUnresolved(advertisedHost, bound.getPort()));
            log.info("Brook node {} of cluster {} serving {} topics on {}", config.nodeId(), identity.clusterId(),
                    topics.topics().size(), bound);
            return new BrookBroker(logs, flusher, server, topics, groups, txns, node, stopShareTimer);
        } catch (RuntimeException e) {
            try {
                if (flusher != null) {
                    flusher.close();
                }
                logs.close(false); // not a clean shutdown: logs not opened yet may still need recovery
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            if (e instanceof LogException) {
                throw new BrokerStartException(e.getMessage() + (e.getCause() != null ? ": " + e.getCause().getMessage() : ""), e);
            }
            throw e;
        }
    }

    /** The address the listener is bound to (the real port when the config asked for 0). */
    public InetSocketAddress boundAddress() {
        return server.localAddress();
    }

    /** {@code host:port}, ready for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        InetSocketAddress a = boundAddress();
        return a.getHostString() + ":" + a.getPort();
    }

    /**
     * What front ends in the same process (the HTTP gateway) share with the Kafka handlers: identity, configuration,
     * topics, the group-commit flusher, and watches on appends.
     */
    public BrokerNode node() {
        return node;
    }

    /** The broker's topics, for embedding applications and tests. */
    public TopicRegistry topics() {
        return topics;
    }

    /** Stops accepting requests, lets acks=all waits finish their fsync, flushes every log, writes the clean-shutdown marker. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
            stopShareTimer.run();
            txns.close();
            groups.close();
        } finally {
            try {
                flusher.close();
            } finally {
                logs.close();
            }
        }
        log.info("Brook stopped cleanly");
    }
}
