package dev.brook.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.utils.Utils;

/**
 * A job compiled into sub-topologies: groups of steps connected without a repartition in between. Every
 * sub-topology reads co-partitioned topics (the same partition number of each) and runs as one {@link Task} per
 * partition; a step that needs records grouped by a new key writes them to a repartition topic
 * ({@code <job>-<step>-repartition}) that starts another sub-topology. Built once by {@link Job}; immutable after.
 */
final class Topology {
    final String jobName;
    final String lateTopic;
    final List<Sub> subs = new ArrayList<>();

    Topology(String jobName, String lateTopic) {
        this.jobName = jobName;
        this.lateTopic = lateTopic;
    }

    static int partitionFor(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    /** A group of steps that runs as one task per partition. */
    static final class Sub {
        final Topology topology;
        final String name;
        final List<Source> sources = new ArrayList<>();

        Sub(Topology topology, String name) {
            this.topology = topology;
            this.name = name;
        }

        /** {@code <job>-<sub-topology>-changelog}: partition {@code p} holds task {@code p}'s stores and checkpoints. */
        String changelogTopic() {
            return topology.jobName + "-" + name + "-changelog";
        }
    }

    /** A node of the job graph; creates its processor once per task. */
    abstract static class Step {
        final String name;
        final List<Step> children = new ArrayList<>();

        Step(String name) {
            this.name = name;
        }

        abstract Processor create(Task task, List<Processor> next);
    }

    static void forward(List<Processor> next, Object key, Object value, long timestamp) {
        for (int i = 0; i < next.size(); i++) {
            next.get(i).process(key, value, timestamp);
        }
    }

    /** Sends watermarks on to every processor after this one (they are all registered with the task, which does it). */
    static final class Source extends Step {
        final String topic;
        final Serde<?> keySerde;
        final Serde<?> valueSerde;
        final boolean isTable;
        /** For a repartition topic: the topic read by the upstream sub-topology, whose partitions are the origins. */
        String upstream;
        Watermarks watermarks = Watermarks.ascending();
        ToLongFunction<Object> eventTime;

        Source(String topic, Serde<?> keySerde, Serde<?> valueSerde, boolean isTable) {
            super("source-" + topic);
            this.topic = topic;
            this.keySerde = keySerde;
            this.valueSerde = valueSerde;
            this.isTable = isTable;
        }

        @Override
        Processor create(Task task, List<Processor> next) {
            return new SourceProcessor(this, next);
        }
    }

    static final class SourceProcessor implements Processor {
        private final Source source;
        private final List<Processor> next;

        SourceProcessor(Source source, List<Processor> next) {
            this.source = source;
            this.next = next;
        }

        void ingest(byte[] keyBytes, byte[] valueBytes, long recordTimestamp, LongConsumer observe) {
            Object key = source.keySerde.deserialize(keyBytes);
            Object value = source.valueSerde.deserialize(valueBytes);
            long ts = source.eventTime == null || value == null ? recordTimestamp : source.eventTime.applyAsLong(value);
            if (observe != null) {
                observe.accept(ts);
            }
            forward(next, key, value, ts);
        }

        @Override
        public void process(Object key, Object value, long timestamp) {
            forward(next, key, value, timestamp);
        }
    }

    /** map, filter, flatMap, peek, keyBy, branch: a function of one record, no state. */
    static final class Stateless extends Step {
        interface Fn {
            void apply(Object key, Object value, long timestamp, List<Processor> next);
        }

        private final Fn fn;

        Stateless(String name, Fn fn) {
            super(name);
            this.fn = fn;
        }

        @Override
        Processor create(Task task, List<Processor> next) {
            return (k, v, ts) -> fn.apply(k, v, ts, next);
        }
    }

    /** Writes records to a result topic. */
    static final class Sink extends Step {
        final String topic;
        @SuppressWarnings("rawtypes")
        final Serde keySerde;
        @SuppressWarnings("rawtypes")
        final Serde valueSerde;

        Sink(String topic, Serde<?> keySerde, Serde<?> valueSerde) {
            super("sink-" + topic);
            this.topic = topic;
            this.keySerde = keySerde;
            this.valueSerde = valueSerde;
        }

        @Override
        Processor create(Task task, List<Processor> next) {
            TaskOutput out = task.output();
            return (k, v, ts) -> send(out, topic, keySerde, valueSerde, k, v, ts, -1, null);
        }
    }

    /**
     * Writes records to a repartition topic, partitioned by the new key, and after every watermark advance a marker
     * to each of its partitions, so the downstream tasks know the event time of every upstream task.
     */
    static final class Repartition extends Step {
        final String topic;
        @SuppressWarnings("rawtypes")
        final Serde keySerde;
        @SuppressWarnings("rawtypes")
        final Serde valueSerde;

        Repartition(String topic, Serde<?> keySerde, Serde<?> valueSerde) {
            super("repartition-" + topic);
            this.topic = topic;
            this.keySerde = keySerde;
            this.valueSerde = valueSerde;
        }

        @Override
        Processor create(Task task, List<Processor> next) {
            TaskOutput out = task.output();
            return new Processor() {
                // what the markers last said; the task's watermark and idle flag move on per record, and a batch
                // that moved them sends one round of markers at its end, not one per record
                private long sentWatermark = Long.MIN_VALUE;
                private boolean sentIdle;

                @Override
                public void process(Object k, Object v, long ts) {
                    send(out, topic, keySerde, valueSerde, k, v, ts, 0, task.sequence());
                }

                private boolean moved() {
                    return task.watermark() != sentWatermark || task.idle() != sentIdle;
                }

                @Override
                public void onEndOfBatch() {
                    if (moved()) {
                        markers(task.watermark(), task.idle());
                    }
                }

                @Override
                public void onCommit() {
                    if (moved() || sentWatermark != Long.MIN_VALUE) {
                        markers(task.watermark(), task.idle());
                    }
                }

                void markers(long watermark, boolean idle) {
                    sentWatermark = watermark;
                    sentIdle = idle;
                    for (int p = 0; p < out.partitionsOf(topic); p++) {
                        out.sendWatermark(topic, p, task.partition, watermark, idle);
                    }
                }
            };
        }
    }

    /** Serializes a late record to the late side output with whatever serdes the stream has. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static void late(Task task, Serde keySerde, Serde valueSerde, Object key, Object value, long timestamp) {
        send(task.output(), task.topology().lateTopic, keySerde, valueSerde, key, value, timestamp, -1, null);
    }

    /**
     * Serializes a record and sends it to the partition of its key as Kafka's default partitioner picks it, or to
     * {@code keylessPartition} (-1: the producer chooses) when the key serializes to null; with the upstream
     * {@code sequence} for a repartition topic, {@code null} elsewhere.
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static void send(TaskOutput out, String topic, Serde keySerde, Serde valueSerde, Object key, Object value, long timestamp,
            int keylessPartition, byte[] sequence) {
        byte[] k = keySerde.serialize(key);
        int partition = k == null ? keylessPartition : partitionFor(k, out.partitionsOf(topic));
        out.send(topic, partition, k, valueSerde.serialize(value), timestamp, sequence);
    }
}
