package dev.brook.broker.group;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * A group: its committed offsets (none for a share group), plus the membership of one of the Kafka group protocols
 * (classic, consumer, share).
 * Owned by the coordinator thread; never touched elsewhere.
 */
abstract sealed class Group permits ClassicGroup, ConsumerGroup, ShareGroup {
    final String groupId;
    final Map<TopicPartition, CommittedOffset> offsets = new HashMap<>();
    /** When the group last became empty (for offset expiry); -1 while it has members. */
    long emptySinceMs;

    Group(String groupId, long nowMs) {
        this.groupId = groupId;
        this.emptySinceMs = nowMs;
    }

    abstract boolean isEmpty();

    /** The state name the Kafka APIs report (Empty, Stable, ...). */
    abstract String stateName();

    /** "classic", "consumer" or "share", as ListGroups v5 reports the type. */
    abstract String type();

    /** The protocol type ListGroups reports ("consumer" for Kafka consumers; may be empty). */
    abstract String protocolType();

    /** Whether a member of this group currently subscribes to {@code topic}. */
    abstract boolean subscribedTo(String topic);
}
