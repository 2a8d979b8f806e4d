package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.examples.PageViews;
import dev.brook.examples.UserSessions;
import dev.brook.streams.JobRunner;
import dev.brook.testkit.BrookExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * brook-streams under failure, against a real Brook: a job process killed with SIGKILL mid-stream and started again,
 * and one of two instances stopped mid-stream, must both end with exactly the final window results a reference
 * computes. Output is at least once (a window closed after the last checkpoint is written again on replay), so the
 * checks are that every result written is the right one and that every expected result was written.
 */
@Timeout(300)
class StreamsFaultToleranceTest {
    /**
     * Two days ago at midnight UTC: event times must stay within the brokers' 7-day retention, or a retention check
     * (every 5 minutes) deletes the input while the job reads it. A fixed 2026-01-01 did exactly that once the
     * calendar passed 2026-01-08, and failed this test now and then on Kafka.
     */
    private static final long T0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS).minus(java.time.Duration.ofDays(2)).toEpochMilli();
    private static final long MINUTE = 60_000;
    private static final long LATER = T0 + 86_400_000L;

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    @Test
    void aJobKilledMidStreamAndRestartedWritesTheReferenceResults() throws Exception {
        int partitions = 2;
        StreamsData.createTopics(brook.bootstrapServers(), partitions, Map.of(), "clicks");
        StreamsData data = new StreamsData();
        Random rnd = new Random(11);
        String[] pages = {"/home", "/cart", "/help", "/docs", "/pricing"};
        Map<String, Long> reference = new TreeMap<>(); // computed here, not by brook-streams: views per page per minute
        for (int i = 0; i < 1_200; i++) {
            String user = "u" + rnd.nextInt(10);
            String page = pages[rnd.nextInt(pages.length)];
            long time = T0 + i * 500L + rnd.nextInt(4_000) - 2_000;
            data.add("clicks", StreamsData.partitionOf(user, partitions), user, "{\"user\":\"" + user + "\",\"page\":\"" + page + "\",\"time\":" + time + "}", time);
            long start = time - Math.floorMod(time, MINUTE);
            reference.merge("{\"key\":\"" + page + "\",\"start\":" + start + ",\"end\":" + (start + MINUTE) + "}", 1L, Long::sum);
        }
        data.addClosers("clicks", partitions, "{\"user\":\"closer\",\"page\":\"/closer\",\"time\":" + LATER + "}", LATER);
        Path log = Files.createTempFile("page-views-", ".out");
        Process first = startJob(PageViews.class, log);
        try {
            produceSlowly(data, 0, 500);
            List<String> some = StreamsData.read(brook.bootstrapServers(), "page-views-per-minute", 1, Duration.ofSeconds(60), Duration.ZERO);
            assertThat(some).as("the first process wrote results before it was killed; its log: %s", log).isNotEmpty();
            produceSlowly(data, 500, 700);
        } finally {
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no commit, no leaving the group
        }
        data.produce(brook.bootstrapServers(), 700, 900); // while no instance runs
        Process second = startJob(PageViews.class, log);
        try {
            produceSlowly(data, 900, data.records().size());
            Map<String, TreeSet<Long>> written = awaitResults("page-views-per-minute", reference.size(), Duration.ofSeconds(120));
            assertFinalResults(written, reference);
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void stoppingOneOfTwoInstancesMovesItsPartitionsAndStateToTheOther() throws Exception {
        int partitions = 4;
        StreamsData.createTopics(brook.bootstrapServers(), partitions, Map.of(), "sessions-in");
        StreamsData data = new StreamsData();
        Random rnd = new Random(12);
        for (int i = 0; i < 900; i++) {
            String user = "u" + rnd.nextInt(12);
            long pause = (i / 300) * 40 * MINUTE; // three bursts 40 minutes apart: three sessions per user
            long time = T0 + i * 6_000L + pause + rnd.nextInt(4_000) - 2_000;
            data.add("sessions-in", StreamsData.partitionOf(user, partitions), user,
                    "{\"user\":\"" + user + "\",\"page\":\"/p" + rnd.nextInt(4) + "\",\"time\":" + time + "}", time);
        }
        data.addClosers("sessions-in", partitions, "{\"user\":\"closer\",\"page\":\"/\",\"time\":" + LATER + "}", LATER);
        Map<String, Long> reference = new TreeMap<>();
        for (String line : data.reference(UserSessions.job("sessions-in", "sessions-out"), "sessions-out", Map.of("sessions-in", partitions))) {
            String[] kv = line.split("\t");
            reference.put(kv[0], Long.parseLong(kv[1]));
        }
        assertThat(reference).hasSize(3 * 12);

        Map<String, Object> config = Map.of("bootstrap.servers", brook.bootstrapServers(), JobRunner.COMMIT_INTERVAL_MS, 300,
                "session.timeout.ms", 6_000, "heartbeat.interval.ms", 1_000);
        JobRunner a = JobRunner.start(UserSessions.job("sessions-in", "sessions-out"), config);
        JobRunner b = JobRunner.start(UserSessions.job("sessions-in", "sessions-out"), config);
        try {
            assertThat(a.awaitAssignment(Duration.ofSeconds(60))).isTrue();
            assertThat(b.awaitAssignment(Duration.ofSeconds(60))).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((a.assignment().isEmpty() || b.assignment().isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(a.assignment()).as("both instances hold partitions").isNotEmpty();
            assertThat(b.assignment()).isNotEmpty();
            produceSlowly(data, 0, 450);
            Thread.sleep(1_000); // a commit or two with state in both instances
            a.close();
            assertThat(a.state()).isEqualTo(JobRunner.State.STOPPED);
            produceSlowly(data, 450, data.records().size());
            Map<String, TreeSet<Long>> written = awaitResults("sessions-out", reference.size(), Duration.ofSeconds(120));
            assertThat(b.state()).as("failure: %s", b.failure()).isEqualTo(JobRunner.State.RUNNING);
            assertThat(b.assignment()).as("the remaining instance took every partition").hasSize(2 * partitions);
            assertFinalResults(written, reference);
        } finally {
            a.close();
            b.close();
        }
    }

    private static void assertFinalResults(Map<String, TreeSet<Long>> written, Map<String, Long> reference) {
        assertThat(written.keySet()).isEqualTo(reference.keySet());
        written.forEach((window, values) -> assertThat(values).as(window).containsExactly(reference.get(window)));
    }

    /** Reads until {@code distinct} different result keys have arrived: each key with every value written for it. */
    private static Map<String, TreeSet<Long>> awaitResults(String topic, int distinct, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, TreeSet<Long>> byKey = new TreeMap<>();
        while (System.nanoTime() < deadline) {
            byKey.clear();
            for (String line : StreamsData.read(brook.bootstrapServers(), topic, Integer.MAX_VALUE, Duration.ofSeconds(2), Duration.ZERO)) {
                String[] kv = line.split("\t");
                byKey.computeIfAbsent(kv[0], k -> new TreeSet<>()).add(Long.parseLong(kv[1]));
            }
            if (byKey.size() >= distinct) {
                break;
            }
        }
        return byKey;
    }

    /** Batches of 50 records, 100 ms apart: the job processes and commits while input still arrives. */
    private static void produceSlowly(StreamsData data, int from, int to) throws InterruptedException {
        for (int i = from; i < to; i += 50) {
            data.produce(brook.bootstrapServers(), i, Math.min(to, i + 50));
            Thread.sleep(100);
        }
    }

    /** An example's own {@code main}, in a JVM of its own, committing every 300 ms. */
    private static Process startJob(Class<?> example, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), example.getName(),
                brook.bootstrapServers(), "commit.interval.ms=300", "session.timeout.ms=6000", "heartbeat.interval.ms=1000")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }
}
