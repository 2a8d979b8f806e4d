package dev.brook.it;

import static org.junit.jupiter.api.Assertions.fail;

import dev.brook.testkit.KafkaExtension;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Apache Kafka 4.4 that tests compare Brook with, started from the jars {@code .ci/run} (or
 * {@code bin/brook-bench}) fetched from Maven Central: in CI their absence fails the test; elsewhere it skips it.
 */
final class ComparisonKafka {
    private ComparisonKafka() {
    }

    /** A started single-node Kafka; the caller closes it. */
    static KafkaExtension start() throws Exception {
        if (!KafkaExtension.available()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("Apache Kafka's jars are missing; .ci/run fetches them before ./mvnw verify");
            }
            Assumptions.abort("Kafka's jars are not fetched (bin/brook-bench or .ci/run fetches them)");
        }
        KafkaExtension kafka = new KafkaExtension();
        kafka.start();
        return kafka;
    }
}
