package dev.brook.broker.cluster;

import org.apache.kafka.common.TopicPartition;

/** Told after records are appended to a partition, on the appending thread; must not block. */
@FunctionalInterface
public interface AppendListener {
    void onAppend(TopicPartition partition);
}
