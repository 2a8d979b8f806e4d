package dev.brook.log;

import org.apache.kafka.common.record.internal.Records;

/**
 * Batches read from a log.
 *
 * @param records        whole batches, starting with the batch that contains the requested offset; a slice of a
 *                       segment file (zero-copy capable) that stays readable even if retention deletes the
 *                       segment meanwhile; empty at the log end
 * @param logStartOffset the log start offset at the time of the read
 * @param logEndOffset   the log end offset at the time of the read
 */
public record ReadResult(Records records, long logStartOffset, long logEndOffset) {
}
