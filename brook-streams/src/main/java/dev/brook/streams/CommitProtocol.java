package dev.brook.streams;

import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

/**
 * How a {@link JobRunner} makes a commit interval's work count: {@code processing.guarantee} {@code at_least_once}
 * (the default) or {@code exactly_once}.
 *
 * <ul>
 *   <li>{@link AtLeastOnce}: every write (results, repartition records, changelog records and checkpoints) is
 *       acknowledged, then the input offsets are committed; a crash in between writes some results again.</li>
 *   <li>{@link ExactlyOnce}: the writes since the last commit and the input offsets are one Kafka transaction
 *       ({@code sendOffsetsToTransaction} with the group's metadata, so a member fenced by a rebalance cannot commit),
 *       and every consumer reads read_committed: after a crash the aborted transaction's results, changelog records
 *       and offsets are as if never written, and the state restored from the changelog is the committed one.</li>
 * </ul>
 * Used on the runner's thread only.
 */
sealed interface CommitProtocol permits CommitProtocol.AtLeastOnce, CommitProtocol.ExactlyOnce {

    /** Before every send: an exactly-once runner opens the commit interval's transaction. */
    void beforeSend();

    /** Makes everything sent since the last commit, and {@code offsets}, durable together (as this protocol can). */
    void commit(Map<TopicPartition, OffsetAndMetadata> offsets);

    /** The group took partitions away without a revocation: what was sent since the last commit must not count. */
    void abandon();

    /** Whether {@link #abandon} discards writes (then the tasks' state is ahead of what counts and must be restored). */
    boolean discardsOnAbandon();

    /** Acknowledged writes, then committed offsets. */
    record AtLeastOnce(KafkaProducer<byte[], byte[]> producer, KafkaConsumer<byte[], byte[]> consumer, Runnable checkSends)
            implements CommitProtocol {
        @Override
        public void beforeSend() {
        }

        @Override
        public void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
            producer.flush();
            checkSends.run();
            if (!offsets.isEmpty()) {
                consumer.commitSync(offsets);
            }
        }

        @Override
        public void abandon() {
        }

        @Override
        public boolean discardsOnAbandon() {
            return false;
        }
    }

    /** One transaction per commit interval. */
    final class ExactlyOnce implements CommitProtocol {
        private final KafkaProducer<byte[], byte[]> producer;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Runnable checkSends;
        private boolean open;

        ExactlyOnce(KafkaProducer<byte[], byte[]> producer, KafkaConsumer<byte[], byte[]> consumer, Runnable checkSends) {
            this.producer = producer;
            this.consumer = consumer;
            this.checkSends = checkSends;
            producer.initTransactions();
        }

        @Override
        public void beforeSend() {
            if (!open) {
                producer.beginTransaction();
                open = true;
            }
        }

        @Override
        public void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
            if (!offsets.isEmpty()) {
                beforeSend();
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            }
            if (open) {
                producer.commitTransaction(); // flushes first; a failed send fails the commit
                open = false;
            }
            checkSends.run();
        }

        @Override
        public void abandon() {
            if (open) {
                producer.abortTransaction();
                open = false;
            }
        }

        @Override
        public boolean discardsOnAbandon() {
            return true;
        }
    }
}
