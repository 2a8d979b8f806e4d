package dev.brook.broker.cluster;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * A topic as the broker sees it: an immutable snapshot, replaced whole when partitions are added or configs
 * change, so readers on any thread never see it half-updated.
 *
 * @param name       the topic name
 * @param id         the stable topic ID, assigned at creation and kept across restarts
 * @param partitions the partitions, index = partition number
 * @param overrides  topic configs set explicitly (Kafka names); everything else follows the broker defaults
 */
public record Topic(String name, Uuid id, List<Partition> partitions, Map<String, String> overrides) {
    public Topic {
        partitions = List.copyOf(partitions);
        overrides = Map.copyOf(overrides);
    }

    public Partition partition(int index) {
        return index >= 0 && index < partitions.size() ? partitions.get(index) : null;
    }
}
