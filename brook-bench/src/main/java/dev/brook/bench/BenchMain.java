package dev.brook.bench;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code brook-bench compare [--rounds N] [--quick] [--no-write]}: the side-by-side harness against Apache Kafka;
 * {@code brook-bench streams [--rounds N] [--records N] [--no-write]}: brook-streams against Kafka Streams;
 * {@code brook-bench messaging [--rounds N] [--seconds N] [--quick] [--no-write]}: in-memory topics against core NATS;
 * {@code brook-bench compaction [--keys N] [--overwrites N] [--value-bytes N] [--open-sizes MB,MB] [--dir DIR] [--rounds N]
 * [--no-kafka]}: the log cleaner's throughput and log open times in process, then Brook's cleaner against Kafka's, each in
 * its broker ({@link CleanerCompare});
 * {@code brook-bench queues [--rounds N] [--messages N] [--quick] [--no-write]}: share groups against RabbitMQ (a work queue,
 * per-message acknowledgements);
 * {@code brook-bench transactions [--rounds N] [--quick]}: transactional produce and read_committed latency against
 * Kafka ({@link TransactionsCompare});
 * {@code brook-bench jmh [JMH options]}: the microbenchmarks.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help")) {
            System.out.println("usage: brook-bench compare [--rounds N] [--quick] [--no-write] | brook-bench streams [--rounds N] [--records N] [--eos] [--no-write]"
                    + " | brook-bench messaging [--rounds N] [--seconds N] [--quick] [--no-write] | brook-bench compaction [--keys N] [--overwrites N] [--value-bytes N] [--open-sizes MB,MB] [--dir DIR] [--rounds N] [--no-kafka]"
                    + " | brook-bench queues [--rounds N] [--messages N] [--quick] [--no-write]"
                    + " | brook-bench transactions [--rounds N] [--quick] | brook-bench jmh [JMH options]");
            return;
        }
        if (args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args[0].equals("streams")) {
            streams(args);
            return;
        }
        if (args[0].equals("messaging")) {
            messaging(args);
            return;
        }
        if (args[0].equals("compaction")) {
            compaction(args);
            return;
        }
        if (args[0].equals("transactions")) {
            transactions(args);
            return;
        }
        if (args[0].equals("queues")) {
            queues(args);
            return;
        }
        if (!args[0].equals("compare")) {
            System.err.println("brook-bench: unknown command " + args[0]);
            System.exit(2);
        }
        int rounds = 3;
        boolean quick = false;
        boolean write = true;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--quick" -> quick = true;
                case "--no-write" -> write = false;
                default -> {
                    System.err.println("brook-bench: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        Path root = Path.of(System.getProperty("brook.root", ".")).toAbsolutePath().normalize();
        Compare c = quick ? new Compare(root, 1, 5_000, 2, new int[] {1_000})
                : new Compare(root, rounds, 300_000, 10, new int[] {1_000, 5_000});
        c.run();
        System.out.println();
        System.out.print(Report.table(c));
        if (write) {
            Report.write(c, root.resolve("docs/benchmarks.md"), "bin/brook-bench compare" + (rounds != 3 ? " --rounds " + rounds : ""), quick ? 1 : rounds);
            System.out.println("\nwrote docs/benchmarks.md and docs/benchmarks-latency.svg");
        }
    }

    private static void transactions(String[] args) throws Exception {
        int rounds = 3;
        boolean quick = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--quick" -> quick = true;
                default -> {
                    System.err.println("brook-bench: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        Path root = Path.of(System.getProperty("brook.root", ".")).toAbsolutePath().normalize();
        TransactionsCompare c = quick ? new TransactionsCompare(root, 1, 20, 100, 100)
                : new TransactionsCompare(root, rounds, 500, 100, 2_000);
        c.run();
        System.out.println();
        c.table().forEach(System.out::println);
    }

    private static void compaction(String[] args) throws Exception {
        int keys = 100_000;
        int overwrites = 10;
        int valueBytes = 1_000;
        long[] openSizes = {1_000L << 20, 4_000L << 20};
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "brook-compaction-bench");
        boolean vsKafka = true;
        int rounds = 3;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--no-kafka" -> vsKafka = false;
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--keys" -> keys = Integer.parseInt(args[++i]);
                case "--overwrites" -> overwrites = Integer.parseInt(args[++i]);
                case "--value-bytes" -> valueBytes = Integer.parseInt(args[++i]);
                case "--open-sizes" -> openSizes = Arrays.stream(args[++i].split(",")).mapToLong(mb -> Long.parseLong(mb) << 20).toArray();
                case "--dir" -> dir = Path.of(args[++i]);
                default -> {
                    System.err.println("brook-bench: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        CompactionBench b = new CompactionBench(dir, keys, overwrites, valueBytes, openSizes, 3);
        b.run();
        b.lines.forEach(System.out::println);
        if (vsKafka) {
            CleanerCompare c = new CleanerCompare(Path.of(System.getProperty("brook.root", ".")).toAbsolutePath().normalize(), keys, overwrites, valueBytes, 64 << 20, rounds);
            c.run();
            System.out.println();
            c.table().forEach(System.out::println);
        }
    }

    private static void messaging(String[] args) throws Exception {
        int rounds = 3;
        int seconds = 10;
        int[] rates = {1_000, 10_000};
        int[] subscribers = {1, 10, 100};
        int sseStreams = 1_000;
        boolean quick = false;
        boolean write = true;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rates" -> rates = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--subscribers" -> subscribers = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--sse-streams" -> sseStreams = Integer.parseInt(args[++i]);
                case "--quick" -> quick = true;
                case "--no-write" -> write = false;
                default -> {
                    System.err.println("brook-bench: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        Path root = Path.of(System.getProperty("brook.root", ".")).toAbsolutePath().normalize();
        MessagingCompare c = quick ? new MessagingCompare(root, 1, 2, new int[] {1_000}, new int[] {1, 10}, 200, 100, 100)
                : new MessagingCompare(root, rounds, seconds, rates, subscribers, 1_000, sseStreams, 100);
        c.run();
        System.out.println();
        System.out.print(c.table());
        boolean standard = Arrays.equals(rates, new int[] {1_000, 10_000}) && Arrays.equals(subscribers, new int[] {1, 10, 100}) && sseStreams == 1_000;
        if (write && !quick && standard) {
            String command = "bin/brook-bench messaging" + (rounds != 3 ? " --rounds " + rounds : "") + (seconds != 10 ? " --seconds " + seconds : "");
            c.write(root.resolve("docs/benchmarks.md"), command);
            System.out.println("\nwrote docs/benchmarks.md");
        }
    }

    private static void queues(String[] args) throws Exception {
        int rounds = 3;
        int messages = 200_000;
        boolean quick = false;
        boolean write = true;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--quick" -> quick = true;
                case "--no-write" -> write = false;
                default -> {
                    System.err.println("brook-bench: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        Path root = Path.of(System.getProperty("brook.root", ".")).toAbsolutePath().normalize();
        QueueCompare c = quick ? new QueueCompare(root, 1, 10_000, 500, 2, 50) : new QueueCompare(root, rounds, messages, 2_000, 10, 1_000);
        c.run();
        System.out.println();
        System.out.print(c.table());
        if (write && !quick) {
            c.write(root.resolve("docs/benchmarks.md"), "bin/brook-bench queues" + (rounds != 3 ? " --rounds " + rounds : "")
                    + (messages != 200_000 ? " --messages " + messages : ""));
            System.out.println("\nwrote docs/benchmarks.md");
        }
    }

    private static void streams(String[] args) throws Exception {
        int rounds = 3;
        int records = 1_000_000;
        int latencySeconds = 20;
        boolean write = true;
        boolean eos = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--eos" -> eos = true;
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--records" -> records = Integer.parseInt(args[++i]);
                case "--latency-seconds" -> latencySeconds = Integer.parseInt(args[++i]);
                case "--no-write" -> write = false;
                default -> {
                    System.err.println("brook-bench: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        Path root = Path.of(System.getProperty("brook.root", ".")).toAbsolutePath().normalize();
        StreamsCompare c = new StreamsCompare(root, rounds, records, latencySeconds, eos);
        c.run();
        System.out.println();
        System.out.print(c.table());
        if (write) {
            StringBuilder cmd = new StringBuilder("bin/brook-bench streams");
            for (int i = 1; i < args.length; i++) {
                if (!args[i].equals("--no-write")) {
                    cmd.append(' ').append(args[i]);
                }
            }
            c.write(root.resolve("docs/benchmarks.md"), cmd.toString());
            System.out.println("\nwrote docs/benchmarks.md");
        }
    }
}
