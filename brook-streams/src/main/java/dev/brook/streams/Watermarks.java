package dev.brook.streams;

import java.time.Duration;
import java.util.Objects;

/**
 * How far event time may run out of order, and when a quiet input stops holding the watermark back.
 *
 * <p>Each input partition's watermark is the largest event time seen on it minus {@code outOfOrderness}: the claim
 * that no record older than that is still to come. A task's watermark is the minimum over its input partitions,
 * never moving backwards. A partition that delivered nothing for {@code idleTimeout} of wall-clock time is idle and
 * left out of the minimum until it delivers again, so one quiet partition does not stall every window.
 */
public record Watermarks(Duration outOfOrderness, Duration idleTimeout) {
    /** The idle timeout when none is given. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);

    public Watermarks {
        Objects.requireNonNull(outOfOrderness, "outOfOrderness");
        if (outOfOrderness.isNegative()) {
            throw new IllegalArgumentException("out-of-orderness must not be negative: " + outOfOrderness);
        }
        if (idleTimeout != null && (idleTimeout.isNegative() || idleTimeout.isZero())) {
            throw new IllegalArgumentException("idle timeout must be positive: " + idleTimeout);
        }
    }

    /** Records may arrive up to {@code maxDelay} behind the newest one seen; idle after {@link #DEFAULT_IDLE_TIMEOUT}. */
    public static Watermarks boundedOutOfOrderness(Duration maxDelay) {
        return new Watermarks(maxDelay, DEFAULT_IDLE_TIMEOUT);
    }

    /** Event time never goes backwards on a partition. */
    public static Watermarks ascending() {
        return boundedOutOfOrderness(Duration.ZERO);
    }

    /** A partition quiet for {@code timeout} (wall clock) no longer holds the watermark back. */
    public Watermarks withIdleness(Duration timeout) {
        return new Watermarks(outOfOrderness, timeout);
    }

    /** Quiet partitions hold the watermark back for ever. */
    public Watermarks withoutIdleness() {
        return new Watermarks(outOfOrderness, null);
    }

    long idleMillis() {
        return idleTimeout == null ? Long.MAX_VALUE : idleTimeout.toMillis();
    }
}
