package dev.brook.it;

import dev.brook.testkit.BrookExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link TransactionsTest}'s scenarios with the broker's {@code transaction.version} finalized at 1: the Java client
 * then speaks the first generation (AddPartitionsToTxn, AddOffsetsToTxn, EndTxn v4 without the epoch bump), as
 * clients before 4.0, librdkafka and kafkajs do.
 */
class TransactionsV1Test extends TransactionsTest {
    @RegisterExtension
    static final BrookExtension brookV1 = new BrookExtension().withConfig("brook.transaction.version", "1")
            .withConfig("transaction.abort.timed.out.transaction.cleanup.interval.ms", "200");

    @Override
    BrookExtension brook() {
        return brookV1;
    }
}
