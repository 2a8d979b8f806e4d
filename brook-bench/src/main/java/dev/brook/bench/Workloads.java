package dev.brook.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The workloads, identical for every broker: the same kafka-clients settings, the same records, the same rates.
 * Producer and consumer run in this JVM, so end-to-end latency is measured on one clock ({@code nanoTime} of the
 * send, carried in the record, against {@code nanoTime} at receipt).
 */
final class Workloads {
    static final int RECORD_BYTES = 1024;

    private Workloads() {
    }

    /** Deletes topics and waits for the brokers' answer. */
    static void deleteTopics(String bootstrap, List<String> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.deleteTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * Waits (at most {@code maxSeconds}) until the file system under {@code dir} is quiet: a whole second in which
     * no fsync of a small append took {@code quietMillis} or more. Returns the seconds waited. After gigabytes are
     * deleted, this VM's disk (ext4 mounted with online discard) stalls fsyncs for 80-220 ms every few seconds, for
     * ten seconds and more: that would land on whichever broker runs next, and only on Brook, which fsyncs.
     */
    static int awaitQuietDisk(Path dir, long quietMillis, int maxSeconds) throws IOException, InterruptedException {
        Path probe = Files.createTempFile(dir, "disk-probe-", ".dat");
        try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1024);
            for (int second = 0; second < maxSeconds; second++) {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                long worst = 0;
                while (System.nanoTime() < end) {
                    b.clear();
                    ch.write(b);
                    long t = System.nanoTime();
                    ch.force(true);
                    worst = Math.max(worst, System.nanoTime() - t);
                    Thread.sleep(5);
                }
                if (worst < TimeUnit.MILLISECONDS.toNanos(quietMillis)) {
                    return second;
                }
            }
            return maxSeconds;
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /**
     * Creates a topic and returns once every partition's leader answers ListOffsets: Kafka acknowledges CreateTopics
     * before its partitions are ready, and producing earlier sends an idempotent producer into retries.
     */
    static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
        createTopic(bootstrap, topic, partitions, Map.of());
    }

    /** As {@link #createTopic(String, String, int)}, with topic configs. */
    static void createTopic(String bootstrap, String topic, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all().get(60, TimeUnit.SECONDS);
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
                    Thread.sleep(200);
                    return;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap, String acks, int lingerMs) {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", bootstrap);
        c.put("acks", acks);
        c.put("linger.ms", lingerMs);
        c.put("batch.size", 64 * 1024);
        c.put("max.in.flight.requests.per.connection", 5);
        return new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", bootstrap);
        c.put("enable.auto.commit", false);
        c.put("max.poll.records", 2000);
        c.put("fetch.max.bytes", 16 * 1024 * 1024);
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Sends {@code count} 1 KiB records as fast as the producer allows; returns records per second. */
    static double produce(String bootstrap, String topic, int count, String acks) throws Exception {
        byte[] value = new byte[RECORD_BYTES];
        AtomicReference<Exception> failure = new AtomicReference<>();
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> p = producer(bootstrap, acks, 5)) {
            for (int i = 0; i < count; i++) {
                p.send(new ProducerRecord<>(topic, null, value), (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            p.flush();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return count / ((System.nanoTime() - t0) / 1e9);
    }

    /** Reads {@code count} records of every partition from the beginning; returns records per second. */
    static double consume(String bootstrap, String topic, int partitions, int count) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap)) {
            c.assign(tps);
            c.seekToBeginning(tps);
            long t0 = System.nanoTime();
            long seen = 0;
            long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
            while (seen < count && System.nanoTime() < deadline) {
                seen += c.poll(Duration.ofMillis(100)).count();
            }
            if (seen < count) {
                throw new IllegalStateException("consumed only " + seen + " of " + count);
            }
            return seen / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * One latency run.
     *
     * @param latency  send-to-receipt latency of every record after the first second, in microseconds
     * @param hiccups  how late an otherwise idle thread of this JVM woke from 1-ms sleeps during the run, in
     *                 microseconds: stalls of the whole machine (scheduling, a hypervisor's CPU quota) and of the
     *                 harness JVM, which delay records whatever the broker does
     */
    record LatencyRun(Histogram latency, Histogram hiccups) {
    }

    /**
     * Sends at a fixed rate for {@code seconds} (acks=all, linger 0) while a consumer polls the partition; records the
     * send-to-receipt latency of every record in microseconds, and a hiccup meter beside it.
     */
    static LatencyRun latency(String bootstrap, String topic, int ratePerSecond, int seconds) throws Exception {
        Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(30), 3);
        Histogram hiccups = new Histogram(TimeUnit.SECONDS.toMicros(30), 3);
        TopicPartition tp = new TopicPartition(topic, 0);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch consumerReady = new CountDownLatch(1);
        int warmup = ratePerSecond; // the first second is not recorded
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap)) {
                c.assign(List.of(tp));
                c.seekToEnd(List.of(tp));
                c.position(tp);
                consumerReady.countDown();
                while (!stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        ByteBuffer v = ByteBuffer.wrap(r.value());
                        long sent = v.getLong(0);
                        long seq = v.getLong(8);
                        if (seq >= warmup) {
                            h.recordValue(Math.max(0, (now - sent) / 1000));
                        }
                    }
                }
            }
        }, "latency-consumer");
        Thread meter = new Thread(() -> {
            while (!stop.get()) {
                long t = System.nanoTime();
                LockSupport.parkNanos(1_000_000);
                hiccups.recordValue(Math.max(0, (System.nanoTime() - t - 1_000_000) / 1000));
            }
        }, "hiccup-meter");
        meter.setDaemon(true);
        reader.start();
        consumerReady.await(60, TimeUnit.SECONDS);
        Thread.sleep(500);
        meter.start();
        long interval = 1_000_000_000L / ratePerSecond;
        long total = (long) ratePerSecond * (seconds + 1);
        try (KafkaProducer<byte[], byte[]> p = producer(bootstrap, "all", 0)) {
            long next = System.nanoTime();
            for (long i = 0; i < total; i++) {
                while (System.nanoTime() < next) {
                    LockSupport.parkNanos(Math.min(50_000, next - System.nanoTime()));
                }
                byte[] value = new byte[RECORD_BYTES];
                ByteBuffer.wrap(value).putLong(0, System.nanoTime()).putLong(8, i);
                p.send(new ProducerRecord<>(topic, 0, null, value));
                next += interval;
            }
            p.flush();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (h.getTotalCount() < total - warmup && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        stop.set(true);
        reader.join(10_000);
        meter.join(1_000);
        return new LatencyRun(h, hiccups);
    }
}
