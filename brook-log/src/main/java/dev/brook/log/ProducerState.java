package dev.brook.log;

/**
 * What a log knows of one producer (DescribeProducers): its current epoch, the last sequence it wrote, the timestamp
 * of its last batch, the coordinator epoch of its last marker, and where its open transaction began (-1: none).
 */
public record ProducerState(long producerId, short epoch, int lastSequence, long lastTimestamp, int coordinatorEpoch,
                            long currentTxnStartOffset) {
}
