package dev.brook.broker.handler;

import dev.brook.broker.cluster.ClientMetricsSubscriptions;
import dev.brook.broker.cluster.ClusterIdentity;
import dev.brook.broker.cluster.DynamicBrokerConfig;
import dev.brook.broker.cluster.GroupConfigs;
import dev.brook.broker.cluster.TopicRegistry;
import dev.brook.log.Flusher;
import java.net.InetSocketAddress;

/**
 * What the handlers share about this broker: its identity and the address clients should connect to, its
 * configuration (its own, per-group and client-metrics subscriptions), its topics, the group-commit flusher and the
 * parked fetches. Its parts are thread-safe.
 * The advertised address is set once the listener is bound (the port may have been chosen by the OS).
 */
public final class BrokerNode {
    private final int nodeId;
    private final ClusterIdentity identity;
    private final DynamicBrokerConfig config;
    private final TopicRegistry topics;
    private final Flusher flusher;
    private final DelayedFetches fetches;
    private final GroupConfigs groupConfigs;
    private final ClientMetricsSubscriptions clientMetrics;
    private volatile InetSocketAddress advertised;

    public BrokerNode(int nodeId, ClusterIdentity identity, DynamicBrokerConfig config, TopicRegistry topics,
                      Flusher flusher, DelayedFetches fetches, GroupConfigs groupConfigs, ClientMetricsSubscriptions clientMetrics) {
        this.nodeId = nodeId;
        this.identity = identity;
        this.config = config;
        this.topics = topics;
        this.flusher = flusher;
        this.fetches = fetches;
        this.groupConfigs = groupConfigs;
        this.clientMetrics = clientMetrics;
    }

    /** Sets the address Metadata and DescribeCluster tell clients to use. */
    public void advertise(InetSocketAddress address) {
        this.advertised = address;
    }

    public int nodeId() {
        return nodeId;
    }

    public String host() {
        return advertised.getHostString();
    }

    public int port() {
        return advertised.getPort();
    }

    public ClusterIdentity identity() {
        return identity;
    }

    public DynamicBrokerConfig config() {
        return config;
    }

    public TopicRegistry topics() {
        return topics;
    }

    public Flusher flusher() {
        return flusher;
    }

    public DelayedFetches fetches() {
        return fetches;
    }

    public GroupConfigs groupConfigs() {
        return groupConfigs;
    }

    public ClientMetricsSubscriptions clientMetrics() {
        return clientMetrics;
    }
}
