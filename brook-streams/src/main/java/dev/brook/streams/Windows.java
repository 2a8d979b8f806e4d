package dev.brook.streams;

import java.time.Duration;
import java.util.Objects;

/**
 * The shape of event-time windows, and how late a record may be and still count.
 *
 * <ul>
 *   <li>{@link #tumbling}: fixed, non-overlapping windows {@code [n*size, (n+1)*size)}.</li>
 *   <li>{@link #hopping}: fixed windows of {@code size} starting every {@code advance}; a record is in
 *       {@code size/advance} of them.</li>
 *   <li>{@link #sliding}: one window per record, ending at it and reaching {@code size} back:
 *       {@code (t-size, t]}, reported as {@code [t-size+1, t+1)}. The moving aggregate "over the last {@code size}",
 *       recomputed when an out-of-order record falls into an existing window.</li>
 *   <li>{@link #session}: per key, records closer than {@code gap} join one session; a record that bridges two
 *       sessions merges them.</li>
 * </ul>
 *
 * <p>A window closes when the watermark passes its end plus {@code allowedLateness}. A record whose every window is
 * closed is late: it goes to the job's late side output, never silently dropped.
 */
public sealed interface Windows {

    long allowedLatenessMillis();

    /** The same windows, accepting records up to {@code lateness} behind the watermark past a window's end. */
    Windows allowedLateness(Duration lateness);

    static Tumbling tumbling(Duration size) {
        return new Tumbling(positive(size, "size"), 0);
    }

    static Hopping hopping(Duration size, Duration advance) {
        long s = positive(size, "size");
        long a = positive(advance, "advance");
        if (a > s) {
            throw new IllegalArgumentException("advance " + advance + " is larger than the window " + size);
        }
        return new Hopping(s, a, 0);
    }

    static Sliding sliding(Duration size) {
        return new Sliding(positive(size, "size"), 0);
    }

    static Session session(Duration gap) {
        return new Session(positive(gap, "gap"), 0);
    }

    private static long positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
        return d.toMillis();
    }

    private static long lateness(Duration d) {
        Objects.requireNonNull(d, "lateness");
        if (d.isNegative()) {
            throw new IllegalArgumentException("allowed lateness must not be negative: " + d);
        }
        return d.toMillis();
    }

    record Tumbling(long sizeMillis, long allowedLatenessMillis) implements Windows {
        @Override
        public Tumbling allowedLateness(Duration lateness) {
            return new Tumbling(sizeMillis, lateness(lateness));
        }
    }

    record Hopping(long sizeMillis, long advanceMillis, long allowedLatenessMillis) implements Windows {
        @Override
        public Hopping allowedLateness(Duration lateness) {
            return new Hopping(sizeMillis, advanceMillis, lateness(lateness));
        }
    }

    record Sliding(long sizeMillis, long allowedLatenessMillis) implements Windows {
        @Override
        public Sliding allowedLateness(Duration lateness) {
            return new Sliding(sizeMillis, lateness(lateness));
        }
    }

    record Session(long gapMillis, long allowedLatenessMillis) implements Windows {
        @Override
        public Session allowedLateness(Duration lateness) {
            return new Session(gapMillis, lateness(lateness));
        }
    }
}
