package dev.brook.bench;

import dev.brook.testkit.KafkaExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * {@code brook-bench compare}: Brook and Apache Kafka on the same machine, in the same run, with the same
 * workloads, alternating which goes first in each round so that drift of a shared, noisy machine hits both.
 * Every figure is the median of the rounds; the report gives Brook/Kafka ratios against the targets.
 */
final class Compare {
    /** One measured quantity: its name, unit, and whether higher is better. */
    record Metric(String name, String unit, boolean higherIsBetter, double target) {
    }

    final Map<Metric, Map<BrokerProcess.Kind, List<Double>>> results = new LinkedHashMap<>();
    final Map<BrokerProcess.Kind, Map<Integer, Histogram>> lastLatency = new EnumMap<>(BrokerProcess.Kind.class);
    private final Path root;
    private final int rounds;
    private final int produceCount;
    private final int latencySeconds;
    private final int[] rates;

    Compare(Path root, int rounds, int produceCount, int latencySeconds, int[] rates) {
        this.root = root;
        this.rounds = rounds;
        this.produceCount = produceCount;
        this.latencySeconds = latencySeconds;
        this.rates = rates;
    }

    private void record(Metric m, BrokerProcess.Kind kind, double value) {
        results.computeIfAbsent(m, k -> new EnumMap<>(BrokerProcess.Kind.class)).computeIfAbsent(kind, k -> new ArrayList<>()).add(value);
        System.out.printf("  %-6s %-42s %12.1f %s%n", kind, m.name(), value, m.unit());
    }

    void run() throws Exception {
        // bin/brook creates its class-data-sharing archive on first use; do that now, not inside a startup measurement
        Process prepare = new ProcessBuilder(root.resolve("bin/brook").toString(), "--version").inheritIO().start();
        if (!prepare.waitFor(5, java.util.concurrent.TimeUnit.MINUTES) || prepare.exitValue() != 0) {
            throw new IllegalStateException("bin/brook --version failed");
        }
        for (int round = 0; round < rounds; round++) {
            List<BrokerProcess.Kind> order = round % 2 == 0 ? List.of(BrokerProcess.Kind.BROOK, BrokerProcess.Kind.KAFKA)
                    : List.of(BrokerProcess.Kind.KAFKA, BrokerProcess.Kind.BROOK);
            for (BrokerProcess.Kind kind : order) {
                System.out.println("round " + (round + 1) + "/" + rounds + ": " + kind);
                runOne(kind, round);
            }
        }
    }

    private void runOne(BrokerProcess.Kind kind, int round) throws Exception {
        // the previous broker's data directory was just deleted: let the disk finish with it first
        settleDisk(60, "");
        try (BrokerProcess broker = BrokerProcess.start(kind, root, KafkaExtension.freePortPair())) {
            record(new Metric("startup to first Metadata answer", "ms", false, 0.1), kind, broker.startupMillis);
            Thread.sleep(3_000);
            record(new Metric("resident memory, idle", "MiB", false, 0.25), kind, broker.rssMiB());
            AtomicBoolean sampling = new AtomicBoolean(true);
            AtomicReference<Double> peak = new AtomicReference<>(0.0);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    peak.accumulateAndGet(broker.rssMiB(), Math::max);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            // warm-up, not measured, the same for both brokers: the broker's JVM is new and the client's hot paths
            // need about a million records before the JIT is done with them (with a quarter of this warm-up, a first
            // round measured 60% of later rounds' throughput)
            Workloads.createTopic(broker.bootstrap(), "warmup", 8);
            Workloads.produce(broker.bootstrap(), "warmup", 2 * produceCount, "1");
            Workloads.consume(broker.bootstrap(), "warmup", 8, 2 * produceCount);
            Workloads.createTopic(broker.bootstrap(), "warmup-all", 1);
            Workloads.produce(broker.bootstrap(), "warmup-all", produceCount / 2, "all");
            // latency before throughput: the warm-up's acks=1 data is still in the page cache, never written, and
            // deleting it costs the disk nothing. After the throughput phase there would be ~2 GB either to write
            // back (the kernel does so 30 s after it was written, and on ext4 every fsync then waits for it) or, if
            // deleted, to discard (which stalls fsyncs on this VM for ten seconds and more). Either lands on the
            // broker that fsyncs, Brook, and not on Kafka, which does not.
            Workloads.deleteTopics(broker.bootstrap(), List.of("warmup"));
            settleDisk(30, " before the latency runs");
            for (int rate : rates) {
                String topic = "latency-" + rate + "-r" + round;
                Workloads.createTopic(broker.bootstrap(), topic, 1);
                Workloads.LatencyRun run = Workloads.latency(broker.bootstrap(), topic, rate, latencySeconds);
                Histogram h = run.latency();
                String at = " at " + rate + "/s";
                record(new Metric("end-to-end p50" + at, "µs", false, Double.NaN), kind, h.getValueAtPercentile(50));
                record(new Metric("end-to-end p99" + at, "µs", false, 0.5), kind, h.getValueAtPercentile(99));
                record(new Metric("end-to-end p99.9" + at, "µs", false, 0.5), kind, h.getValueAtPercentile(99.9));
                record(new Metric("end-to-end max" + at, "µs", false, Double.NaN), kind, h.getMaxValue());
                // not the broker's latency: how late an idle thread beside the clients woke from 1-ms sleeps
                record(new Metric("machine hiccups p99" + at, "µs", false, Double.NaN), kind, run.hiccups().getValueAtPercentile(99));
                record(new Metric("machine hiccups max" + at, "µs", false, Double.NaN), kind, run.hiccups().getMaxValue());
                lastLatency.computeIfAbsent(kind, k -> new LinkedHashMap<>()).put(rate, h);
            }
            for (int partitions : new int[] {1, 8}) {
                for (String acks : new String[] {"1", "all"}) {
                    String topic = "tput-p" + partitions + "-acks" + acks + "-r" + round;
                    Workloads.createTopic(broker.bootstrap(), topic, partitions);
                    String what = partitions + " partition" + (partitions > 1 ? "s" : "");
                    double[] cpu = cpuBefore(broker);
                    double rate = Workloads.produce(broker.bootstrap(), topic, produceCount, acks);
                    record(new Metric("produce 1 KiB, " + what + ", acks=" + acks, "records/s", true, 1.5), kind, rate);
                    recordCpu(kind, broker, cpu, "produce " + what + ", acks=" + acks);
                    if (acks.equals("1")) {
                        cpu = cpuBefore(broker);
                        double c = Workloads.consume(broker.bootstrap(), topic, partitions, produceCount);
                        record(new Metric("consume 1 KiB, " + what, "records/s", true, 1.5), kind, c);
                        recordCpu(kind, broker, cpu, "consume " + what);
                    }
                }
            }
            // the like-for-like durability comparison beside the targets: Kafka fsyncing every produce request too
            // (flush.messages=1, in its request threads), against Brook's acks=all, which the setting does not change
            String fsynced = "tput-p1-flush1-r" + round;
            Workloads.createTopic(broker.bootstrap(), fsynced, 1, Map.of("flush.messages", "1"));
            double[] cpu = cpuBefore(broker);
            double rate = Workloads.produce(broker.bootstrap(), fsynced, produceCount, "all");
            record(new Metric("produce 1 KiB, 1 partition, acks=all, topic flush.messages=1", "records/s", true, Double.NaN), kind, rate);
            recordCpu(kind, broker, cpu, "produce 1 partition, acks=all, flush.messages=1");
            sampling.set(false);
            sampler.join();
            record(new Metric("resident memory, under load (peak)", "MiB", false, Double.NaN), kind, peak.get());
        }
    }

    /** Waits for a quiet disk (no fsync of 20 ms or more for a second) where the brokers keep their data; says how long. */
    private static void settleDisk(int maxSeconds, String when) throws Exception {
        int waited = Workloads.awaitQuietDisk(Path.of(System.getProperty("java.io.tmpdir")), 20, maxSeconds);
        if (waited > 0) {
            System.out.println("  (waited " + waited + " s for the disk to settle" + when + ")");
        }
    }

    private static double[] cpuBefore(BrokerProcess broker) {
        return new double[] {broker.cpuMillis(), BrokerProcess.procCpuMillis(ProcessHandle.current().pid())};
    }

    /** CPU spent by the broker and by the client JVM (this one) per 10,000 records of the workload just run. */
    private void recordCpu(BrokerProcess.Kind kind, BrokerProcess broker, double[] before, String workload) {
        double per = 10_000.0 / produceCount;
        record(new Metric("broker CPU, " + workload, "ms per 10k records", false, Double.NaN), kind,
                (broker.cpuMillis() - before[0]) * per);
        record(new Metric("client CPU, " + workload, "ms per 10k records", false, Double.NaN), kind,
                (BrokerProcess.procCpuMillis(ProcessHandle.current().pid()) - before[1]) * per);
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
