package dev.brook.streams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A stream processing job: where records come from, what happens to them, where results go. Built with a fluent
 * DSL, then run by {@link JobRunner} against Brook or any Kafka cluster, or by {@link TestDriver} without a broker;
 * both drive the same tasks, state and watermark markers.
 *
 * <pre>{@code
 * Job job = Job.named("page-views");
 * job.source("clicks", Serdes.json(Click.class))
 *     .withEventTime(Click::timestamp, Watermarks.boundedOutOfOrderness(Duration.ofSeconds(5)))
 *     .keyBy(Click::page)
 *     .window(Windows.tumbling(Duration.ofMinutes(1)).allowedLateness(Duration.ofSeconds(10)))
 *     .count()
 *     .to("page-views-per-minute");
 * }</pre>
 *
 * <p>The job's name is its consumer group and the prefix of its internal topics ({@code <job>-...-repartition},
 * {@code <job>-...-changelog}); late records go to {@code <job>-late} unless {@link #lateRecordsTo} says otherwise.
 */
public final class Job {
    final String name;
    String lateTopic;
    final List<Topology.Source> sources = new ArrayList<>();
    /** Union-find over sub-topology ids: streams that meet in a join or merge must be read together. */
    private final List<Integer> parent = new ArrayList<>();
    private final Map<Topology.Source, Integer> subOfSource = new HashMap<>();
    private final Map<String, Integer> stepCounts = new HashMap<>();
    private Topology compiled;

    private Job(String name) {
        this.name = name;
        this.lateTopic = name + "-late";
    }

    public static Job named(String name) {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-zA-Z0-9._-]+")) {
            throw new IllegalArgumentException("a job name is a valid topic name prefix ([a-zA-Z0-9._-]+): " + name);
        }
        return new Job(name);
    }

    public String name() {
        return name;
    }

    /** Records of {@code topic}; keys read as UTF-8 strings. */
    public <V> Stream<String, V> source(String topic, Serde<V> valueSerde) {
        return source(topic, Serdes.string(), valueSerde);
    }

    public <K, V> Stream<K, V> source(String topic, Serde<K> keySerde, Serde<V> valueSerde) {
        Topology.Source s = addSource(topic, keySerde, valueSerde, false, newSub());
        return new Stream<>(this, s, s, subOfSource.get(s), keySerde, valueSerde, false, s.watermarks);
    }

    /**
     * A table: the latest value per key of {@code topic} (a compacted topic, typically), for stream-table joins.
     * Keys read as UTF-8 strings; a {@code null} value deletes the key.
     */
    public <V> Table<String, V> table(String topic, Serde<V> valueSerde) {
        return table(topic, Serdes.string(), valueSerde);
    }

    public <K, V> Table<K, V> table(String topic, Serde<K> keySerde, Serde<V> valueSerde) {
        Topology.Source s = addSource(topic, keySerde, valueSerde, true, newSub());
        Joins.TableStep rows = new Joins.TableStep(stepName("table"));
        s.children.add(rows);
        return new Table<>(this, rows, subOfSource.get(s), keySerde, valueSerde);
    }

    /** Where late records go (default {@code <job>-late}). */
    public Job lateRecordsTo(String topic) {
        this.lateTopic = Objects.requireNonNull(topic, "topic");
        return this;
    }

    Topology.Source addSource(String topic, Serde<?> keySerde, Serde<?> valueSerde, boolean table, int sub) {
        checkOpen();
        for (Topology.Source s : sources) {
            if (s.topic.equals(topic)) {
                throw new IllegalArgumentException("topic " + topic + " is already a source of job " + name);
            }
        }
        Topology.Source s = new Topology.Source(topic, keySerde, valueSerde, table);
        sources.add(s);
        subOfSource.put(s, sub);
        return s;
    }

    int sourceSub(Topology.Source s) {
        return subOfSource.get(s);
    }

    /** A topic read by sub-topology {@code sub} (or one joined with it). */
    String firstTopicOf(int sub) {
        int root = find(sub);
        for (Topology.Source s : sources) {
            if (find(subOfSource.get(s)) == root) {
                return s.topic;
            }
        }
        throw new IllegalStateException("no source in sub-topology " + sub);
    }

    int newSub() {
        parent.add(parent.size());
        return parent.size() - 1;
    }

    int find(int sub) {
        while (parent.get(sub) != sub) {
            sub = parent.get(sub);
        }
        return sub;
    }

    /** Streams from two sub-topologies meet: from now on they are one (their topics must be co-partitioned). */
    int union(int a, int b) {
        int ra = find(a);
        int rb = find(b);
        if (ra != rb) {
            parent.set(Math.max(ra, rb), Math.min(ra, rb));
        }
        return Math.min(ra, rb);
    }

    String stepName(String kind) {
        int n = stepCounts.merge(kind, 1, Integer::sum);
        return kind + "-" + n;
    }

    void checkOpen() {
        if (compiled != null) {
            throw new IllegalStateException("job " + name + " is already running or compiled; build a new Job");
        }
    }

    /** The sub-topologies, fixed from the first call on. */
    synchronized Topology topology() {
        if (compiled == null) {
            if (sources.isEmpty()) {
                throw new IllegalStateException("job " + name + " has no source");
            }
            Topology t = new Topology(name, lateTopic);
            Map<Integer, Topology.Sub> byRoot = new LinkedHashMap<>();
            for (Topology.Source s : sources) {
                int root = find(subOfSource.get(s));
                byRoot.computeIfAbsent(root, r -> {
                    Topology.Sub sub = new Topology.Sub(t, "s" + (byRoot.size() + 1));
                    t.subs.add(sub);
                    return sub;
                }).sources.add(s);
            }
            compiled = t;
        }
        return compiled;
    }
}
