package dev.brook.log;

import org.apache.kafka.common.protocol.Errors;

/**
 * Asked by a log, under its lock, before a producer's transactional batch opens a transaction in it: does the
 * producer's transaction coordinator have this partition in the producer's open transaction, at this epoch? Asking
 * under the lock that the coordinator's markers also take means a batch is either in the log before the marker that
 * ends its transaction, or refused; it never opens a transaction no marker will close (a hanging transaction).
 */
@FunctionalInterface
public interface TransactionVerifier {
    /** {@link Errors#NONE}, or the error to refuse the batch with. */
    Errors verify(long producerId, short producerEpoch);

    /** For logs with no coordinator (tests): every transactional batch may open a transaction. */
    TransactionVerifier ANY = (id, epoch) -> Errors.NONE;
}
