package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idempotent producers: retries are not written twice, gaps and stale epochs are refused, as in Kafka. */
class IdempotenceTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock();

    private Log open() {
        return Log.open(dir.resolve("t-0"), LogConfig.defaults(), clock, false, 0);
    }

    @Test
    void aRetriedBatchGetsItsOriginalOffsetsAndIsNotWrittenAgain() {
        Log log = open();
        log.append(Batches.of(1, "other"));
        AppendResult first = log.append(Batches.idempotent(42, (short) 0, 0, "a", "b"));
        AppendResult retry = log.append(Batches.idempotent(42, (short) 0, 0, "a", "b"));
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(first.firstOffset()).isEqualTo(1);
        assertThat(retry.lastOffset()).isEqualTo(2);
        assertThat(log.logEndOffset()).isEqualTo(3);
        log.close();
    }

    @Test
    void aSequenceGapIsOutOfOrder() {
        Log log = open();
        log.append(Batches.idempotent(7, (short) 0, 0, "a", "b"));
        assertThatThrownBy(() -> log.append(Batches.idempotent(7, (short) 0, 5, "c")))
                .extracting(e -> ((LogException) e).error()).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(log.append(Batches.idempotent(7, (short) 0, 2, "c")).firstOffset()).isEqualTo(2);
        log.close();
    }

    @Test
    void anOlderEpochIsRefusedAndANewEpochStartsAtZero() {
        Log log = open();
        log.append(Batches.idempotent(9, (short) 3, 0, "a"));
        assertThatThrownBy(() -> log.append(Batches.idempotent(9, (short) 2, 1, "b")))
                .extracting(e -> ((LogException) e).error()).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThatThrownBy(() -> log.append(Batches.idempotent(9, (short) 4, 1, "b")))
                .extracting(e -> ((LogException) e).error()).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(log.append(Batches.idempotent(9, (short) 4, 0, "b")).duplicate()).isFalse();
        log.close();
    }

    @Test
    void deduplicationSurvivesARestart() {
        Log log = open();
        AppendResult first = log.append(Batches.idempotent(5, (short) 0, 0, "a"));
        log.close();
        Log again = open();
        AppendResult retry = again.append(Batches.idempotent(5, (short) 0, 0, "a"));
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(first.firstOffset());
        assertThat(again.logEndOffset()).isEqualTo(1);
        again.close();
    }

    @Test
    void anUnknownProducerIsAcceptedAtAnySequence() {
        Log log = open();
        assertThat(log.append(Batches.idempotent(77, (short) 1, 1234, "a")).duplicate()).isFalse();
        log.close();
    }
}
