package dev.brook.log;

import org.apache.kafka.common.protocol.Errors;

/**
 * A record inside a batch is invalid: the batch is refused whole, and {@link #recordIndex} says which record (its
 * position in the batch, from 0), which Produce v8+ reports to the client as a record error.
 */
public final class RecordValidationException extends LogException {
    private static final long serialVersionUID = 1L;
    private final int recordIndex;

    public RecordValidationException(Errors error, int recordIndex, String message) {
        super(error, message);
        this.recordIndex = recordIndex;
    }

    public int recordIndex() {
        return recordIndex;
    }
}
