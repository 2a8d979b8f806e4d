package dev.brook.broker.cluster;

import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * The cluster ID (generated on first start and kept in {@code meta.properties}) and producer ID allocation.
 *
 * <p>Producer IDs are handed out from blocks: the end of the current block is made durable before any ID in
 * it is given out, so after a crash the broker continues from the next block and never reuses an ID.
 * Thread-safe.
 */
public final class ClusterIdentity {
    private static final long BLOCK = 1000;

    private final TopicRegistry registry;
    private final String clusterId;
    private long nextProducerId;
    private long blockEnd;

    public ClusterIdentity(TopicRegistry registry, int nodeId) {
        this.registry = registry;
        Properties meta = registry.store().meta();
        String id = meta.getProperty("cluster.id");
        if (id == null) {
            id = Uuid.randomUuid().toString();
            meta.setProperty("cluster.id", id);
        }
        String storedNode = meta.getProperty("node.id");
        if (storedNode != null && Integer.parseInt(storedNode) != nodeId) {
            throw new IllegalStateException("The data directory belongs to node " + storedNode + ", not node " + nodeId);
        }
        meta.setProperty("node.id", String.valueOf(nodeId));
        this.clusterId = id;
        this.nextProducerId = Long.parseLong(meta.getProperty("producer.id.block.end", "0"));
        this.blockEnd = nextProducerId;
        registry.store().saveMeta(meta);
    }

    public String clusterId() {
        return clusterId;
    }

    /** A producer ID never handed out before by this data directory. */
    public synchronized long nextProducerId() {
        if (nextProducerId >= blockEnd) {
            Properties meta = registry.store().meta();
            blockEnd = nextProducerId + BLOCK;
            meta.setProperty("producer.id.block.end", String.valueOf(blockEnd));
            registry.store().saveMeta(meta);
        }
        return nextProducerId++;
    }
}
