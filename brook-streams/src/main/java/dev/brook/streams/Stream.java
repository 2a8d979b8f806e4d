package dev.brook.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * An unbounded stream of keyed records with event times. Every operation returns a new stream; nothing runs until
 * the job does.
 *
 * <p>Serdes travel with the stream: a step that stores or ships records (windows, joins, a repartition, a sink)
 * uses them. After {@code map} or {@code flatMap} the value type is new; give its serde
 * ({@code map(fn, Serdes.json(X.class))}) if a later step has to store or ship it. {@link #to(String)} falls back
 * to JSON.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class Stream<K, V> {
    final Job job;
    final Topology.Step step;
    private final Topology.Source source;
    final int sub;
    final Serde<K> keySerde;
    final Serde<V> valueSerde;
    private final boolean keyChanged;
    final Watermarks watermarks;

    Stream(Job job, Topology.Step step, Topology.Source source, int sub, Serde<K> keySerde, Serde<V> valueSerde,
            boolean keyChanged, Watermarks watermarks) {
        this.job = job;
        this.step = step;
        this.source = source;
        this.sub = sub;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
        this.keyChanged = keyChanged;
        this.watermarks = watermarks;
    }

    private <K2, V2> Stream<K2, V2> then(Topology.Step next, Serde<K2> ks, Serde<V2> vs, boolean keyChanged) {
        job.checkOpen();
        step.children.add(next);
        return new Stream<>(job, next, null, sub, ks, vs, keyChanged, watermarks);
    }

    /**
     * Event time from the value, with watermarks for out-of-order records. Only on a stream straight from
     * {@link Job#source}; without it, event time is the record's timestamp and records are taken as in order.
     */
    @SuppressWarnings("unchecked")
    public Stream<K, V> withEventTime(ToLongFunction<? super V> eventTime, Watermarks watermarks) {
        requireSource("withEventTime");
        source.eventTime = (ToLongFunction<Object>) Objects.requireNonNull(eventTime, "eventTime");
        source.watermarks = Objects.requireNonNull(watermarks, "watermarks");
        return new Stream<>(job, step, source, sub, keySerde, valueSerde, keyChanged, watermarks);
    }

    /** Event time is the record timestamp; watermarks as given. Only on a stream straight from {@link Job#source}. */
    public Stream<K, V> withWatermarks(Watermarks watermarks) {
        requireSource("withWatermarks");
        source.watermarks = Objects.requireNonNull(watermarks, "watermarks");
        return new Stream<>(job, step, source, sub, keySerde, valueSerde, keyChanged, watermarks);
    }

    private void requireSource(String what) {
        job.checkOpen();
        if (source == null || source != step) {
            throw new IllegalStateException(what + " applies to a stream straight from Job.source(...)");
        }
    }

    public <R> Stream<K, R> map(Function<? super V, ? extends R> fn) {
        return map(fn, null);
    }

    @SuppressWarnings("unchecked")
    public <R> Stream<K, R> map(Function<? super V, ? extends R> fn, Serde<R> serde) {
        Function<Object, Object> f = (Function<Object, Object>) fn;
        return then(new Topology.Stateless(job.stepName("map"), (k, v, ts, next) -> Topology.forward(next, k, f.apply(v), ts)),
                keySerde, serde, keyChanged);
    }

    /** A new value from key and value. */
    @SuppressWarnings("unchecked")
    public <R> Stream<K, R> mapWithKey(BiFunction<? super K, ? super V, ? extends R> fn, Serde<R> serde) {
        BiFunction<Object, Object, Object> f = (BiFunction<Object, Object, Object>) fn;
        return then(new Topology.Stateless(job.stepName("map"), (k, v, ts, next) -> Topology.forward(next, k, f.apply(k, v), ts)),
                keySerde, serde, keyChanged);
    }

    @SuppressWarnings("unchecked")
    public Stream<K, V> filter(Predicate<? super V> keep) {
        Predicate<Object> p = (Predicate<Object>) keep;
        return then(new Topology.Stateless(job.stepName("filter"), (k, v, ts, next) -> {
            if (p.test(v)) {
                Topology.forward(next, k, v, ts);
            }
        }), keySerde, valueSerde, keyChanged);
    }

    public <R> Stream<K, R> flatMap(Function<? super V, ? extends Iterable<? extends R>> fn) {
        return flatMap(fn, null);
    }

    @SuppressWarnings("unchecked")
    public <R> Stream<K, R> flatMap(Function<? super V, ? extends Iterable<? extends R>> fn, Serde<R> serde) {
        Function<Object, Iterable<Object>> f = (Function<Object, Iterable<Object>>) (Function<?, ?>) fn;
        return then(new Topology.Stateless(job.stepName("flatmap"), (k, v, ts, next) -> {
            for (Object r : f.apply(v)) {
                Topology.forward(next, k, r, ts);
            }
        }), keySerde, serde, keyChanged);
    }

    /** Sees every record without changing it (logging, metrics). */
    @SuppressWarnings("unchecked")
    public Stream<K, V> peek(Consumer<? super V> action) {
        Consumer<Object> c = (Consumer<Object>) action;
        return then(new Topology.Stateless(job.stepName("peek"), (k, v, ts, next) -> {
            c.accept(v);
            Topology.forward(next, k, v, ts);
        }), keySerde, valueSerde, keyChanged);
    }

    /**
     * Splits the stream: each record goes to the first branch whose predicate holds, or to none. Returns one stream
     * per predicate, in order.
     */
    @SafeVarargs
    @SuppressWarnings("unchecked")
    public final List<Stream<K, V>> branch(Predicate<? super V>... predicates) {
        List<Stream<K, V>> out = new ArrayList<>();
        String name = job.stepName("branch");
        for (int i = 0; i < predicates.length; i++) {
            int index = i;
            out.add(then(new Topology.Stateless(name + "-" + i, (k, v, ts, next) -> {
                for (int j = 0; j < index; j++) {
                    if (((Predicate<Object>) predicates[j]).test(v)) {
                        return;
                    }
                }
                if (((Predicate<Object>) predicates[index]).test(v)) {
                    Topology.forward(next, k, v, ts);
                }
            }), keySerde, valueSerde, keyChanged));
        }
        return out;
    }

    /** Both streams' records as one stream. Their sources must be co-partitioned if keyed alike. */
    public Stream<K, V> merge(Stream<K, V> other) {
        job.checkOpen();
        if (other.job != job) {
            throw new IllegalArgumentException("streams of different jobs cannot merge");
        }
        Topology.Step m = new Topology.Stateless(job.stepName("merge"), (k, v, ts, next) -> Topology.forward(next, k, v, ts));
        step.children.add(m);
        other.step.children.add(m);
        int s = job.union(sub, other.sub);
        return new Stream<>(job, m, null, s, keySerde, valueSerde == null ? other.valueSerde : valueSerde,
                keyChanged || other.keyChanged, watermarks);
    }

    /** Re-keys by a string computed from the value. Stateful steps after it read through a repartition topic. */
    public Stream<String, V> keyBy(Function<? super V, String> key) {
        return keyBy(key, Serdes.string());
    }

    @SuppressWarnings("unchecked")
    public <K2> Stream<K2, V> keyBy(Function<? super V, ? extends K2> key, Serde<K2> keySerde) {
        Function<Object, Object> f = (Function<Object, Object>) key;
        return then(new Topology.Stateless(job.stepName("keyby"), (k, v, ts, next) -> Topology.forward(next, f.apply(v), v, ts)),
                Objects.requireNonNull(keySerde, "keySerde"), valueSerde, true);
    }

    /** Groups records by key into event-time windows; then pick an aggregation. */
    public WindowedStream<K, V> window(Windows windows) {
        return new WindowedStream<>(shuffled("window"), Objects.requireNonNull(windows, "windows"), Emit.ON_WINDOW_CLOSE);
    }

    /** Joins each record with the table's current row for its key ({@code null} rows: no output). */
    public <T, R> Stream<K, R> join(Table<K, T> table, BiFunction<? super V, ? super T, ? extends R> joiner) {
        return tableJoin(table, joiner, false);
    }

    /** Like {@link #join(Table, BiFunction)}, but records without a row join with {@code null}. */
    public <T, R> Stream<K, R> leftJoin(Table<K, T> table, BiFunction<? super V, ? super T, ? extends R> joiner) {
        return tableJoin(table, joiner, true);
    }

    private <T, R> Stream<K, R> tableJoin(Table<K, T> table, BiFunction<? super V, ? super T, ? extends R> joiner, boolean left) {
        Stream<K, V> in = shuffled("join");
        Joins.StreamTableJoinStep j = new Joins.StreamTableJoinStep(job.stepName("join"), table.rows, joiner, left);
        in.step.children.add(j);
        int s = job.union(in.sub, table.sub);
        return new Stream<>(job, j, null, s, keySerde, null, false, watermarks);
    }

    /**
     * Windowed inner join: pairs records of this stream and {@code other} with equal keys whose event times are at
     * most {@code within} apart. The result's time is the later of the two.
     */
    public <V2, R> Stream<K, R> join(Stream<K, V2> other, Duration within, BiFunction<? super V, ? super V2, ? extends R> joiner) {
        return join(other, within, Duration.ZERO, joiner);
    }

    public <V2, R> Stream<K, R> join(Stream<K, V2> other, Duration within, Duration allowedLateness,
            BiFunction<? super V, ? super V2, ? extends R> joiner) {
        Stream<K, V> left = shuffled("join");
        Stream<K, V2> right = other.shuffled("join");
        Joins.StreamJoinStep j = new Joins.StreamJoinStep(job.stepName("join"), within.toMillis(), allowedLateness.toMillis(),
                joiner, keySerde, need(valueSerde, "the left side of a join"), need(right.valueSerde, "the right side of a join"));
        left.step.children.add(j.leftSide);
        right.step.children.add(j.rightSide);
        int s = job.union(left.sub, right.sub);
        return new Stream<>(job, j, null, s, keySerde, null, false, watermarks);
    }

    /** Writes records to {@code topic}, with this stream's serdes, JSON where a serde is unknown. */
    public Job to(String topic) {
        return to(topic, keySerde == null ? Serdes.anyJson() : keySerde, valueSerde == null ? Serdes.anyJson() : valueSerde);
    }

    public Job to(String topic, Serde<? super K> keySerde, Serde<? super V> valueSerde) {
        then(new Topology.Sink(topic, keySerde, valueSerde), null, null, false);
        return job;
    }

    /**
     * This stream, grouped by its key in the partitions a stateful step reads: itself when the key is the one the
     * records arrived with, otherwise a new sub-topology reading a repartition topic written here.
     */
    Stream<K, V> shuffled(String purpose) {
        job.checkOpen();
        if (!keyChanged) {
            return this;
        }
        String topic = job.name + "-" + job.stepName("repartition") + "-repartition";
        Topology.Repartition r = new Topology.Repartition(topic, need(keySerde, "a repartition"), need(valueSerde, "a repartition before " + purpose));
        step.children.add(r);
        Topology.Source src = job.addSource(topic, keySerde, valueSerde, false, job.newSub());
        src.upstream = job.firstTopicOf(sub); // its partitions are the upstream tasks, the markers' origins
        src.watermarks = watermarks;
        return new Stream<>(job, src, null, job.sourceSub(src), keySerde, valueSerde, false, watermarks);
    }

    <X> Serde<X> need(Serde<X> serde, String what) {
        if (serde == null) {
            throw new IllegalStateException("a serde is needed for " + what + " after map/flatMap: pass one, e.g. map(fn, Serdes.json(X.class))");
        }
        return serde;
    }
}
