package dev.brook.streams;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * Runs a {@link Job} without a broker, synchronously: each record piped in is processed, with everything it causes
 * (repartitioning, watermark advances, window results), before {@code pipe} returns. Event time comes from the
 * records; wall-clock time (which decides when a quiet partition counts as idle) only moves when the test calls
 * {@link #advanceWallClock}.
 *
 * <p>Tasks, partitioning, repartition topics and watermark markers are the code a broker-backed runner drives too;
 * topics are in-memory lists. Partition counts default to 1; set them with {@link #partitions} before piping.
 */
public final class TestDriver {
    private final Topology topology;
    private final MutableClock clock;
    private final Map<String, Integer> partitionCounts = new HashMap<>();
    private final Map<String, List<TestRecord<byte[], byte[]>>> outputs = new LinkedHashMap<>();
    private final Deque<Runnable> internal = new ArrayDeque<>();
    private final Map<Topology.Sub, Task[]> tasks = new LinkedHashMap<>();
    private final Output out = new Output();
    /** Which sub-topology reads each topic, and the repartition topics: fixed by the topology, looked up per record. */
    private final Map<String, Topology.Sub> readers = new HashMap<>();
    private final Map<String, String> upstreamOf = new HashMap<>();
    private final Set<TopicPartition> behind = new HashSet<>();

    public TestDriver(Job job) {
        this(job, Instant.EPOCH);
    }

    public TestDriver(Job job, Instant wallClockStart) {
        this.topology = job.topology();
        this.clock = new MutableClock(wallClockStart.toEpochMilli());
        for (Topology.Sub sub : topology.subs) {
            for (Topology.Source s : sub.sources) {
                readers.put(s.topic, sub);
                if (s.upstream != null) {
                    upstreamOf.put(s.topic, s.upstream);
                }
            }
        }
    }

    /**
     * Simulates a reader that has not caught up with partition {@code partition} of {@code topic} (records exist that
     * it has not fetched yet, as a consumer sees after a slow first fetch): while {@code behind}, the partition never
     * counts as idle, however long it stays quiet.
     */
    public TestDriver behind(String topic, int partition, boolean behind) {
        if (behind) {
            this.behind.add(new TopicPartition(topic, partition));
        } else {
            this.behind.remove(new TopicPartition(topic, partition));
        }
        return this;
    }

    /** Gives {@code topic} (a source of the job) {@code count} partitions; before the first record. */
    public TestDriver partitions(String topic, int count) {
        if (!tasks.isEmpty()) {
            throw new IllegalStateException("set partition counts before piping records");
        }
        partitionCounts.put(topic, count);
        return this;
    }

    public <V> Input<String, V> input(String topic, Serde<V> valueSerde) {
        return input(topic, Serdes.string(), valueSerde);
    }

    public <K, V> Input<K, V> input(String topic, Serde<K> keySerde, Serde<V> valueSerde) {
        if (!readers.containsKey(topic)) {
            throw new IllegalArgumentException("job " + topology.jobName + " does not read " + topic);
        }
        return new Input<>(topic, keySerde, valueSerde);
    }

    /** Moves wall-clock time on; inputs quiet for their idle timeout become idle, which may advance watermarks. */
    public void advanceWallClock(Duration d) {
        clock.now += d.toMillis();
        startTasks();
        for (Task[] ts : tasks.values()) {
            for (Task t : ts) {
                step(t);
            }
        }
        drain();
    }

    /** Records written to {@code topic} since the last read, in order (across partitions, in the order written). */
    public <K, V> List<TestRecord<K, V>> read(String topic, Serde<K> keySerde, Serde<V> valueSerde) {
        List<TestRecord<byte[], byte[]>> raw = outputs.remove(topic);
        List<TestRecord<K, V>> result = new ArrayList<>();
        if (raw != null) {
            for (TestRecord<byte[], byte[]> r : raw) {
                result.add(new TestRecord<>(keySerde.deserialize(r.key()), valueSerde.deserialize(r.value()), r.timestamp()));
            }
        }
        return result;
    }

    /** Records written to the job's late side output since the last read, values as the stream's serde wrote them. */
    public <K, V> List<TestRecord<K, V>> readLate(Serde<K> keySerde, Serde<V> valueSerde) {
        return read(topology.lateTopic, keySerde, valueSerde);
    }

    /** The job's watermark in the task for {@code partition} of the sub-topology reading {@code topic}. */
    public long watermark(String topic, int partition) {
        startTasks();
        return tasks.get(readers.get(topic))[partition].watermark();
    }

    /** Feeds one input topic. */
    public final class Input<K, V> {
        private final String topic;
        private final Serde<K> keySerde;
        private final Serde<V> valueSerde;

        private Input(String topic, Serde<K> keySerde, Serde<V> valueSerde) {
            this.topic = topic;
            this.keySerde = keySerde;
            this.valueSerde = valueSerde;
        }

        public void pipe(V value, long timestamp) {
            pipe(null, value, timestamp);
        }

        /** Partitioned as Kafka's default partitioner would (murmur2 of the key; partition 0 without a key). */
        public void pipe(K key, V value, long timestamp) {
            byte[] k = keySerde.serialize(key);
            pipe(k == null ? 0 : Topology.partitionFor(k, out.partitionsOf(topic)), key, value, timestamp);
        }

        public void pipe(int partition, K key, V value, long timestamp) {
            pipe(partition, key, value, Instant.ofEpochMilli(timestamp));
        }

        public void pipe(int partition, K key, V value, Instant timestamp) {
            startTasks();
            Task t = tasks.get(readers.get(topic))[partition];
            t.process(topic, keySerde.serialize(key), valueSerde.serialize(value), timestamp.toEpochMilli());
            step(t);
            drain();
        }
    }

    /** After each record or marker: here every one is a batch of its own, so markers go out at once. */
    private static void step(Task t) {
        t.advance();
        t.endOfBatch();
    }

    private void startTasks() {
        if (!tasks.isEmpty()) {
            return;
        }
        for (Topology.Sub sub : topology.subs) {
            int n = 0;
            for (Topology.Source s : sub.sources) {
                n = Math.max(n, out.partitionsOf(s.topic));
            }
            Task[] ts = new Task[n];
            for (int p = 0; p < n; p++) {
                ts[p] = new Task(sub, p, out, clock);
            }
            tasks.put(sub, ts);
        }
    }

    private void drain() {
        while (!internal.isEmpty()) {
            internal.poll().run();
        }
    }

    private final class Output implements TaskOutput {
        @Override
        public void send(String topic, int partition, byte[] key, byte[] value, long timestamp) {
            if (topic.endsWith("-changelog")) {
                return; // state stays in memory here
            }
            Topology.Sub reader = readers.get(topic);
            if (reader != null) {
                int p = partition < 0 ? 0 : partition;
                internal.add(() -> {
                    Task t = tasks.get(reader)[p];
                    t.process(topic, key, value, timestamp);
                    step(t);
                });
            }
            if (!upstreamOf.containsKey(topic)) {
                outputs.computeIfAbsent(topic, x -> new ArrayList<>()).add(new TestRecord<>(key, value, timestamp));
            }
        }

        @Override
        public void sendWatermark(String topic, int partition, int origin, long watermark, boolean idle) {
            Topology.Sub reader = readers.get(topic);
            internal.add(() -> {
                Task t = tasks.get(reader)[partition];
                t.processWatermark(topic, origin, watermark, idle);
                step(t);
            });
        }

        @Override
        public boolean caughtUp(String topic, int partition) {
            return !behind.contains(new TopicPartition(topic, partition));
        }

        @Override
        public int partitionsOf(String topic) {
            Integer n = partitionCounts.get(topic);
            if (n != null) {
                return n;
            }
            String upstream = upstreamOf.get(topic);
            return upstream == null ? 1 : partitionsOf(upstream);
        }
    }

    private static final class MutableClock extends Clock {
        long now;

        MutableClock(long now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return now;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now);
        }
    }
}
