package dev.brook.log;

import org.apache.kafka.common.protocol.Errors;

/**
 * Why the log refused an operation, carrying the Kafka error code the broker answers with
 * (for example {@link Errors#CORRUPT_MESSAGE}, {@link Errors#MESSAGE_TOO_LARGE},
 * {@link Errors#OUT_OF_ORDER_SEQUENCE_NUMBER}, {@link Errors#INVALID_PRODUCER_EPOCH},
 * {@link Errors#OFFSET_OUT_OF_RANGE}, {@link Errors#KAFKA_STORAGE_ERROR}).
 */
public class LogException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Errors error;

    public LogException(Errors error, String message) {
        super(message);
        this.error = error;
    }

    public LogException(Errors error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    public Errors error() {
        return error;
    }
}
