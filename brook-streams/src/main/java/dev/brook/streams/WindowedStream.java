package dev.brook.streams;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * A stream grouped by key into event-time windows. Pick when results are written ({@link #emit}) and an aggregation;
 * the result is a stream keyed by {@link Windowed} key, with JSON serdes for both key and value unless the result
 * type has a serde already.
 */
public final class WindowedStream<K, V> {
    private final Stream<K, V> in;
    private final Windows windows;
    private final Emit emit;

    WindowedStream(Stream<K, V> in, Windows windows, Emit emit) {
        this.in = in;
        this.windows = windows;
        this.emit = emit;
    }

    /** When results are written; {@link Emit#ON_WINDOW_CLOSE} (final results only) unless changed. */
    public WindowedStream<K, V> emit(Emit emit) {
        return new WindowedStream<>(in, windows, Objects.requireNonNull(emit, "emit"));
    }

    public Stream<Windowed<K>, Long> count() {
        return aggregate(new Aggregation<V, Long, Long>(() -> 0L, (a, v) -> a + 1, Long::sum, a -> a, Serdes.longs()), null);
    }

    public Stream<Windowed<K>, Long> sum(ToLongFunction<? super V> field) {
        return aggregate(new Aggregation<V, Long, Long>(() -> 0L, (a, v) -> a + field.applyAsLong(v), Long::sum, a -> a, Serdes.longs()), null);
    }

    public Stream<Windowed<K>, Double> sumDouble(ToDoubleFunction<? super V> field) {
        return aggregate(new Aggregation<V, Double, Double>(() -> 0.0, (a, v) -> a + field.applyAsDouble(v), Double::sum, a -> a,
                Serdes.doubles()), null);
    }

    /** The mean of a numeric field. */
    public Stream<Windowed<K>, Double> average(ToDoubleFunction<? super V> field) {
        Aggregation<V, double[], Double> agg = new Aggregation<>(() -> new double[2],
                (a, v) -> new double[] {a[0] + field.applyAsDouble(v), a[1] + 1},
                (a, b) -> new double[] {a[0] + b[0], a[1] + b[1]},
                a -> a[1] == 0 ? null : a[0] / a[1], SUM_AND_COUNT);
        return aggregate(agg, null);
    }

    public Stream<Windowed<K>, V> min(Comparator<? super V> order) {
        return reduce((a, b) -> order.compare(b, a) < 0 ? b : a);
    }

    public Stream<Windowed<K>, V> max(Comparator<? super V> order) {
        return reduce((a, b) -> order.compare(b, a) > 0 ? b : a);
    }

    public Stream<Windowed<K>, V> reduce(BinaryOperator<V> op) {
        Serde<V> serde = in.need(in.valueSerde, "reduce/min/max state");
        BinaryOperator<V> merge = (a, b) -> a == null ? b : b == null ? a : op.apply(a, b);
        return aggregate(new Aggregation<V, V, V>(() -> null, (a, v) -> a == null ? v : op.apply(a, v), merge, a -> a, serde), serde);
    }

    /** A general fold. Session windows merge partial results: use the overload with a merger. */
    public <A> Stream<Windowed<K>, A> aggregate(Supplier<A> init, BiFunction<A, ? super V, A> add, Serde<A> accSerde) {
        if (windows instanceof Windows.Session) {
            throw new IllegalArgumentException("session windows merge: use aggregate(init, add, merge, serde)");
        }
        return aggregate(init, add, (a, b) -> {
            throw new IllegalStateException("not mergeable");
        }, accSerde);
    }

    @SuppressWarnings("unchecked")
    public <A> Stream<Windowed<K>, A> aggregate(Supplier<A> init, BiFunction<A, ? super V, A> add, BinaryOperator<A> merge, Serde<A> accSerde) {
        Objects.requireNonNull(accSerde, "accSerde: the accumulator is state and needs a serde");
        return aggregate(new Aggregation<V, A, A>(init, (BiFunction<A, V, A>) add, merge, Function.identity(), accSerde), accSerde);
    }

    private <A, R> Stream<Windowed<K>, R> aggregate(Aggregation<V, A, R> agg, Serde<R> resultSerde) {
        Job job = in.job;
        String name = job.stepName(kind());
        Serde<K> keySerde = in.need(in.keySerde, "window state keys");
        Serde<V> valueSerde = in.valueSerde == null ? Serdes.anyJson() : in.valueSerde;
        Topology.Step step = new Topology.Step(name) {
            @Override
            Processor create(Task task, List<Processor> next) {
                if (windows instanceof Windows.Tumbling t) {
                    return new WindowAggregate(name, task, t.sizeMillis(), t.sizeMillis(), t.allowedLatenessMillis(), emit, agg,
                            keySerde, valueSerde, next);
                } else if (windows instanceof Windows.Hopping h) {
                    return new WindowAggregate(name, task, h.sizeMillis(), h.advanceMillis(), h.allowedLatenessMillis(), emit, agg,
                            keySerde, valueSerde, next);
                } else if (windows instanceof Windows.Session s) {
                    return new SessionAggregate(name, task, s.gapMillis(), s.allowedLatenessMillis(), emit, agg, keySerde, valueSerde, next);
                } else {
                    Windows.Sliding sl = (Windows.Sliding) windows;
                    return new SlidingAggregate(name, task, sl.sizeMillis(), sl.allowedLatenessMillis(), emit, agg, keySerde,
                            in.need(in.valueSerde, "sliding-window state (the records themselves)"), next);
                }
            }
        };
        in.step.children.add(step);
        return new Stream<>(job, step, null, in.sub, Serdes.windowedJson(), resultSerde == null ? Serdes.anyJson() : resultSerde, false, in.watermarks);
    }

    private String kind() {
        if (windows instanceof Windows.Session) {
            return "session";
        }
        return windows instanceof Windows.Sliding ? "sliding" : "window";
    }

    private static final Serde<double[]> SUM_AND_COUNT = new Serde<>() {
        @Override
        public byte[] serialize(double[] v) {
            return v == null ? null : java.nio.ByteBuffer.allocate(16).putDouble(v[0]).putDouble(v[1]).array();
        }

        @Override
        public double[] deserialize(byte[] b) {
            if (b == null) {
                return null;
            }
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b);
            return new double[] {buf.getDouble(), buf.getDouble()};
        }
    };
}
