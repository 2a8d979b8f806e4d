package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.examples.PageViews;
import dev.brook.testkit.BrookExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * brook-streams with {@code processing.guarantee=exactly_once}: the page-views job, in a process of its own, SIGKILLed
 * mid-stream and started again (the same {@code group.instance.id}, so the successor fences it at once). Read with
 * read_committed, every window's result is written exactly once, and it is the reference's: the results the killed
 * process wrote after its last commit were in a transaction that was aborted, and the successor restored the committed
 * state. (At least once, {@link StreamsFaultToleranceTest}, writes some of them twice.)
 */
@Timeout(300)
class StreamsExactlyOnceTest {
    private static final long T0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS).minus(Duration.ofDays(2)).toEpochMilli();
    private static final long MINUTE = 60_000;
    private static final long LATER = T0 + 86_400_000L;

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    @Test
    void anExactlyOnceJobKilledMidStreamWritesEachResultOnce() throws Exception {
        int partitions = 2;
        StreamsData.createTopics(brook.bootstrapServers(), partitions, Map.of(), "clicks");
        StreamsData data = new StreamsData();
        Random rnd = new Random(21);
        String[] pages = {"/home", "/cart", "/help", "/docs", "/pricing"};
        Map<String, Long> reference = new TreeMap<>();
        for (int i = 0; i < 1_200; i++) {
            String user = "u" + rnd.nextInt(10);
            String page = pages[rnd.nextInt(pages.length)];
            long time = T0 + i * 500L + rnd.nextInt(4_000) - 2_000;
            data.add("clicks", StreamsData.partitionOf(user, partitions), user, "{\"user\":\"" + user + "\",\"page\":\"" + page + "\",\"time\":" + time + "}", time);
            long start = time - Math.floorMod(time, MINUTE);
            reference.merge("{\"key\":\"" + page + "\",\"start\":" + start + ",\"end\":" + (start + MINUTE) + "}", 1L, Long::sum);
        }
        data.addClosers("clicks", partitions, "{\"user\":\"closer\",\"page\":\"/closer\",\"time\":" + LATER + "}", LATER);
        Path log = Files.createTempFile("page-views-eos-", ".out");
        Process first = startJob(log);
        try {
            produceSlowly(data, 0, 500);
            List<String> some = StreamsData.read(brook.bootstrapServers(), "page-views-per-minute", 1, Duration.ofSeconds(60),
                    Duration.ZERO, "read_committed");
            assertThat(some).as("the first process committed results before it was killed; its log: %s", log).isNotEmpty();
            produceSlowly(data, 500, 700);
        } finally {
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL mid-transaction, most likely
        }
        data.produce(brook.bootstrapServers(), 700, 900);
        Process second = startJob(log);
        try {
            produceSlowly(data, 900, data.records().size());
            List<String> lines = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (System.nanoTime() < deadline) {
                lines = StreamsData.read(brook.bootstrapServers(), "page-views-per-minute", reference.size(), Duration.ofSeconds(5),
                        Duration.ofMillis(500), "read_committed");
                if (lines.stream().map(l -> l.split("\t")[0]).distinct().count() >= reference.size()) {
                    break;
                }
            }
            Map<String, Long> written = new TreeMap<>();
            for (String line : lines) {
                String[] kv = line.split("\t");
                assertThat(written.put(kv[0], Long.parseLong(kv[1]))).as("window %s written twice; job log %s", kv[0], log).isNull();
            }
            assertThat(written).isEqualTo(reference);
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void produceSlowly(StreamsData data, int from, int to) throws InterruptedException {
        for (int i = from; i < to; i += 50) {
            data.produce(brook.bootstrapServers(), i, Math.min(to, i + 50));
            Thread.sleep(100);
        }
    }

    private static Process startJob(Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), PageViews.class.getName(),
                brook.bootstrapServers(), "commit.interval.ms=300", "session.timeout.ms=6000", "heartbeat.interval.ms=1000",
                "processing.guarantee=exactly_once", "group.instance.id=page-views-eos")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }
}
