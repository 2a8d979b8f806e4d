package dev.brook.broker.group;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Offsets committed inside transactions (TxnOffsetCommit) and not yet decided: by producer id, then group, then
 * partition. They are invisible to OffsetFetch until the transaction coordinator commits them
 * ({@link GroupCoordinator#completeTransaction}); an abort drops them. A consumer asking for stable offsets
 * ({@code require_stable}, what read_committed consumers send) gets UNSTABLE_OFFSET_COMMIT for a partition with one
 * pending, and asks again. Durable as type-1 records of the {@link GroupLog}. Coordinator thread only.
 */
final class TransactionalOffsets {
    private final Map<Long, Map<String, Map<TopicPartition, CommittedOffset>>> pending = new HashMap<>();

    void put(long producerId, String group, TopicPartition tp, CommittedOffset offset) {
        pending.computeIfAbsent(producerId, id -> new LinkedHashMap<>()).computeIfAbsent(group, g -> new LinkedHashMap<>()).put(tp, offset);
    }

    void putAll(long producerId, String group, Map<TopicPartition, CommittedOffset> offsets) {
        offsets.forEach((tp, o) -> put(producerId, group, tp, o));
    }

    void remove(long producerId, String group, TopicPartition tp) {
        Map<String, Map<TopicPartition, CommittedOffset>> byGroup = pending.get(producerId);
        if (byGroup == null) {
            return;
        }
        Map<TopicPartition, CommittedOffset> offsets = byGroup.get(group);
        if (offsets != null) {
            offsets.remove(tp);
            if (offsets.isEmpty()) {
                byGroup.remove(group);
            }
        }
        if (byGroup.isEmpty()) {
            pending.remove(producerId);
        }
    }

    /** The producer's pending offsets, by group (empty if none), without removing them. */
    Map<String, Map<TopicPartition, CommittedOffset>> of(long producerId) {
        return pending.getOrDefault(producerId, Map.of());
    }

    void removeAll(long producerId) {
        pending.remove(producerId);
    }

    /** Whether some open transaction has an offset of {@code group} for {@code tp}. */
    boolean hasPending(String group, TopicPartition tp) {
        for (Map<String, Map<TopicPartition, CommittedOffset>> byGroup : pending.values()) {
            Map<TopicPartition, CommittedOffset> offsets = byGroup.get(group);
            if (offsets != null && offsets.containsKey(tp)) {
                return true;
            }
        }
        return false;
    }

    /** Whether some open transaction has offsets of {@code group}. */
    boolean hasPending(String group) {
        for (Map<String, Map<TopicPartition, CommittedOffset>> byGroup : pending.values()) {
            if (byGroup.containsKey(group)) {
                return true;
            }
        }
        return false;
    }
}
