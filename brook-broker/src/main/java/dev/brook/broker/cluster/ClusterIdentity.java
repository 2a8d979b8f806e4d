package dev.brook.broker.cluster;

import java.util.Properties;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;

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
        boolean changed = false;
        if (id == null) {
            id = Uuid.randomUuid().toString();
            meta.setProperty("cluster.id", id);
            changed = true;
        }
        String storedNode = meta.getProperty("node.id");
        if (storedNode != null && Integer.parseInt(storedNode) != nodeId) {
            throw new IllegalStateException("The data directory belongs to node " + storedNode + ", not node " + nodeId);
        }
        if (storedNode == null) {
            meta.setProperty("node.id", String.valueOf(nodeId));
            changed = true;
        }
        this.clusterId = id;
        this.nextProducerId = Long.parseLong(meta.getProperty("producer.id.block.end", "0"));
        this.blockEnd = nextProducerId;
        if (changed) {
            registry.store().saveMeta(meta); // only on a first start: a restart on a full disk must not need to write
        }
    }

    public String clusterId() {
        return clusterId;
    }

    /**
     * A producer ID never handed out before by this data directory.
     *
     * @throws KafkaStorageException if a new block is needed and cannot be made durable (a full disk): retriable
     */
    public synchronized long nextProducerId() {
        if (nextProducerId >= blockEnd) {
            Properties meta = registry.store().meta();
            meta.setProperty("producer.id.block.end", String.valueOf(nextProducerId + BLOCK));
            try {
                registry.store().saveMeta(meta);
            } catch (RuntimeException e) {
                throw new KafkaStorageException("cannot allocate producer ids: " + e.getMessage(), e);
            }
            blockEnd = nextProducerId + BLOCK;
        }
        return nextProducerId++;
    }
}
