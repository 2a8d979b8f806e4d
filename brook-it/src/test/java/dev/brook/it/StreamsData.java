package dev.brook.it;

import dev.brook.streams.Job;
import dev.brook.streams.JobRunner;
import dev.brook.streams.Serdes;
import dev.brook.streams.TestDriver;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.utils.Utils;

/**
 * Input for brook-streams jobs under test, fed the same way to a broker (with the Java producer, explicit
 * partitions and timestamps) and to {@link TestDriver} (the reference); and the job's output read back as sorted
 * {@code key <tab> value} lines, so runs on different brokers compare as equal lists.
 */
final class StreamsData {
    /** One input record: JSON or plain text value, as the job's source serde reads it. */
    record In(String topic, int partition, String key, String value, long timestamp) {
    }

    private final List<In> records = new ArrayList<>();

    StreamsData add(String topic, int partition, String key, String value, long timestamp) {
        records.add(new In(topic, partition, key, value, timestamp));
        return this;
    }

    /**
     * One record at {@code time} (much later than the real input) in every partition of {@code topic}, keyed
     * "closer": every partition's watermark passes every window of the real input, so every final result is written.
     */
    StreamsData addClosers(String topic, int partitions, String value, long time) {
        for (int p = 0; p < partitions; p++) {
            add(topic, p, "closer", value, time);
        }
        return this;
    }

    /** The partition Kafka's default partitioner picks for {@code key}. */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Expected results as the sorted {@code key <tab> value} lines {@link #read} returns. */
    static List<String> lines(Map<String, Long> results) {
        List<String> out = new ArrayList<>();
        results.forEach((k, v) -> out.add(k + "\t" + v));
        out.sort(null);
        return out;
    }

    List<In> records() {
        return records;
    }

    static void createTopics(String bootstrap, int partitions, Map<String, String> configs, String... topics) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            List<NewTopic> wanted = new ArrayList<>();
            for (String t : topics) {
                wanted.add(new NewTopic(t, Optional.of(partitions), Optional.empty()).configs(configs));
            }
            admin.createTopics(wanted).all().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Sends records {@code from} to {@code to} and waits for every acknowledgement. Records a send failed for are sent
     * again, in order (with an idempotent producer they are a suffix of their partition's records, so order within a
     * partition holds), up to three times, and the cause is printed: a rare run on Kafka once lost every record of one
     * partition this way, which the test then only saw as missing results 90 s later.
     */
    void produce(String bootstrap, int from, int to) {
        List<In> pending = new ArrayList<>(records.subList(from, to));
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            try (KafkaProducer<String, String> p = Clients.producer(bootstrap, Map.of("linger.ms", 5))) {
                for (In r : pending) {
                    sent.add(p.send(new ProducerRecord<>(r.topic(), r.partition(), r.timestamp(), r.key(), r.value())));
                }
                p.flush();
            }
            List<In> failed = new ArrayList<>();
            Throwable cause = null;
            for (int i = 0; i < sent.size(); i++) {
                try {
                    sent.get(i).get();
                } catch (Exception e) {
                    failed.add(pending.get(i));
                    cause = e.getCause();
                }
            }
            if (!failed.isEmpty()) {
                System.out.printf("%d of %d input records were not acknowledged by %s (attempt %d): %s%n", failed.size(),
                        pending.size(), bootstrap, attempt, cause);
                if (attempt == 3) {
                    throw new AssertionError(failed.size() + " input records were not acknowledged by " + bootstrap, cause);
                }
            }
            pending = failed;
        }
    }

    void produce(String bootstrap) {
        produce(bootstrap, 0, records.size());
    }

    /** What the job writes to {@code topic} for this input, computed synchronously by the test driver. */
    List<String> reference(Job job, String topic, Map<String, Integer> partitions) {
        TestDriver d = new TestDriver(job);
        partitions.forEach(d::partitions);
        Map<String, TestDriver.Input<String, String>> inputs = new LinkedHashMap<>();
        for (In r : records) {
            inputs.computeIfAbsent(r.topic(), t -> d.input(t, Serdes.string(), Serdes.string()))
                    .pipe(r.partition(), r.key(), r.value(), r.timestamp());
        }
        List<String> out = new ArrayList<>();
        d.read(topic, Serdes.string(), Serdes.string()).forEach(r -> out.add(r.key() + "\t" + r.value()));
        out.sort(null);
        return out;
    }

    /**
     * Reads {@code topic} from the beginning until {@code expected} records have arrived (or {@code timeout}), then
     * {@code settle} longer to catch any extra; returns the {@code key <tab> value} lines, sorted.
     */
    static List<String> read(String bootstrap, String topic, int expected, Duration timeout, Duration settle) {
        return read(bootstrap, topic, expected, timeout, settle, "read_uncommitted");
    }

    /** As {@link #read(String, String, int, Duration, Duration)}, at the given {@code isolation.level}. */
    static List<String> read(String bootstrap, String topic, int expected, Duration timeout, Duration settle, String isolation) {
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = Clients.consumer(bootstrap, Map.of(
                org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation))) {
            List<TopicPartition> tps = new ArrayList<>();
            c.partitionsFor(topic, Duration.ofSeconds(30)).forEach(p -> tps.add(new TopicPartition(topic, p.partition())));
            c.assign(tps);
            c.seekToBeginning(tps);
            long deadline = System.nanoTime() + timeout.toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    out.add(r.key() + "\t" + r.value());
                }
                if (out.size() >= expected && settleUntil == Long.MAX_VALUE) {
                    settleUntil = System.nanoTime() + settle.toNanos();
                }
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * What each partition of {@code topics} holds, for a failure message: per partition, the number of records per
     * key, and for watermark markers ({@link JobRunner#MARKER_HEADER}) per origin the count, last watermark and idle flag.
     */
    static String summary(String bootstrap, List<String> topics) {
        StringBuilder out = new StringBuilder();
        try (KafkaConsumer<String, String> c = Clients.consumer(bootstrap, Map.of())) {
            for (String topic : topics) {
                List<TopicPartition> tps = new ArrayList<>();
                c.partitionsFor(topic, Duration.ofSeconds(10)).forEach(p -> tps.add(new TopicPartition(topic, p.partition())));
                c.assign(tps);
                c.seekToBeginning(tps);
                Map<Integer, Map<String, Integer>> counts = new TreeMap<>(); // partition -> key or marker origin -> records
                Map<Integer, Map<String, String>> lastMarkers = new TreeMap<>(); // partition -> origin -> last marker
                Map<TopicPartition, Long> end = c.endOffsets(tps);
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                        Map<String, Integer> p = counts.computeIfAbsent(r.partition(), k -> new TreeMap<>());
                        Header marker = r.headers().lastHeader(JobRunner.MARKER_HEADER);
                        if (marker != null) {
                            ByteBuffer b = ByteBuffer.wrap(marker.value());
                            String origin = "marker from " + b.getInt();
                            p.merge(origin, 1, Integer::sum);
                            lastMarkers.computeIfAbsent(r.partition(), k -> new TreeMap<>())
                                    .put(origin, b.getLong() + (b.get() != 0 ? " idle" : ""));
                        } else {
                            p.merge(String.valueOf(r.key()), 1, Integer::sum);
                        }
                    }
                }
                out.append(topic).append(": ").append(counts);
                if (!lastMarkers.isEmpty()) {
                    out.append(", last watermarks ").append(lastMarkers);
                }
                out.append('\n');
            }
        } catch (RuntimeException e) {
            out.append("(could not read: ").append(e).append(")");
        }
        return out.toString();
    }

    static Set<String> distinct(Collection<String> lines) {
        return new java.util.TreeSet<>(lines);
    }
}
