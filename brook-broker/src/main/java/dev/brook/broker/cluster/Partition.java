package dev.brook.broker.cluster;

import dev.brook.log.AppendResult;
import dev.brook.log.Log;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * One partition of a topic on this broker: its log, and the hook that wakes fetches waiting for data.
 * On a single node this broker is always the leader, at leader epoch 0, and the high watermark is the log
 * end offset. Safe to use from any thread; the log serializes appends.
 */
public final class Partition {
    /** The leader epoch Brook reports: one broker, never re-elected. */
    public static final int LEADER_EPOCH = 0;

    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final Log log;
    private final AppendListener listener;

    Partition(TopicPartition topicPartition, Uuid topicId, Log log, AppendListener listener) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.log = log;
        this.listener = listener;
    }

    /** Appends the batches and wakes fetches waiting on this partition. */
    public AppendResult append(MemoryRecords records) {
        AppendResult result = log.append(records);
        if (!result.duplicate()) {
            listener.onAppend(topicPartition);
        }
        return result;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    public Log log() {
        return log;
    }

    /** The offset up to which consumers may read; the log end on a single node. */
    public long highWatermark() {
        return log.logEndOffset();
    }
}
