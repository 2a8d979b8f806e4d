package dev.brook.bench;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * What the smoke tests of the side-by-side harnesses need from outside the build (Kafka's jars, nats-server, the
 * packaged brook.jar): in CI, where {@code .ci/run} provides it, its absence fails the test; elsewhere the test is
 * skipped with how to enable it.
 */
final class SmokePrerequisites {
    private SmokePrerequisites() {
    }

    static void require(boolean ready, String missingInCi, String howToEnable) {
        if (!ready && "true".equals(System.getenv("CI"))) {
            fail(missingInCi);
        }
        Assumptions.assumeTrue(ready, howToEnable);
    }
}
