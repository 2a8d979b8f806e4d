package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.brook.examples.EnrichClicks;
import dev.brook.examples.MovingAverage;
import dev.brook.examples.PageViews;
import dev.brook.examples.PaidOrders;
import dev.brook.examples.UserSessions;
import dev.brook.examples.WordCount;
import dev.brook.streams.Job;
import dev.brook.streams.JobRunner;
import dev.brook.testkit.BrookExtension;
import dev.brook.testkit.KafkaExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The six brook-streams examples, each run with the same input against an in-process Brook and a real Apache Kafka
 * 4.4 (from Maven Central, in its own JVM): both brokers' results must equal each other and the test driver's, and
 * for word count and page views also a count computed directly here.
 */
@Timeout(600)
class StreamsExamplesTest {
    /**
     * Two days ago at midnight UTC: event times must stay within the brokers' 7-day retention, or a retention check
     * (every 5 minutes) deletes the input while the job reads it. A fixed 2026-01-01 did exactly that once the
     * calendar passed 2026-01-08, and failed this test now and then on Kafka.
     */
    private static final long T0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS).minus(java.time.Duration.ofDays(2)).toEpochMilli();
    private static final long MINUTE = 60_000;
    /** A day after the input: the closers' time. */
    private static final long LATER = T0 + 86_400_000L;
    private static final int PARTITIONS = 2;

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();
    private static KafkaExtension kafka;
    /** Set when a run got fewer results than expected: what its topics held (see {@link StreamsData#summary}). */
    private static String diagnostics = "";

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = ComparisonKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void wordCount() throws Exception {
        StreamsData data = new StreamsData();
        Random rnd = new Random(1);
        String[] words = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "stream", "window"};
        Map<String, Long> expected = new TreeMap<>();
        for (int i = 0; i < 240; i++) {
            long ts = T0 + i * 1_000L;
            StringBuilder line = new StringBuilder();
            for (int w = 0; w < 3 + rnd.nextInt(5); w++) {
                String word = words[rnd.nextInt(words.length)];
                line.append(w == 0 ? "" : rnd.nextBoolean() ? " " : ", ").append(rnd.nextBoolean() ? word : word.toUpperCase());
                long start = ts - Math.floorMod(ts, MINUTE);
                expected.merge(windowKey(word, start, start + MINUTE), 1L, Long::sum);
            }
            data.add("wc-lines", i % PARTITIONS, null, line.toString(), ts);
        }
        data.addClosers("wc-lines", PARTITIONS, "closing line", LATER);

        List<String> results = runOnBoth(data, () -> WordCount.job("wc-lines", "wc-counts"), "wc-counts", List.of("wc-lines"), Map.of());
        assertThat(results).isEqualTo(StreamsData.lines(expected));
    }

    @Test
    void pageViewsPerMinute() throws Exception {
        StreamsData data = clicks("pv-clicks", 300, false);
        Map<String, Long> expected = new TreeMap<>();
        for (StreamsData.In r : data.records()) {
            String page = field(r.value(), "page");
            long time = Long.parseLong(field(r.value(), "time"));
            long start = time - Math.floorMod(time, MINUTE);
            if (time < LATER) {
                expected.merge(windowKey(page, start, start + MINUTE), 1L, Long::sum);
            }
        }

        List<String> results = runOnBoth(data, () -> PageViews.job("pv-clicks", "pv-out"), "pv-out", List.of("pv-clicks"), Map.of());
        assertThat(results).isEqualTo(StreamsData.lines(expected));
    }

    @Test
    void hoppingMovingAverage() throws Exception {
        StreamsData data = new StreamsData();
        Random rnd = new Random(3);
        for (int i = 0; i < 300; i++) {
            String sensor = "s" + rnd.nextInt(4);
            long time = T0 + i * 2_000L + rnd.nextInt(4_000) - 2_000;
            double value = Math.round((20 + rnd.nextGaussian() * 5) * 100) / 100.0;
            data.add("ma-readings", partitionOf(sensor), sensor,
                    "{\"sensor\":\"" + sensor + "\",\"value\":" + value + ",\"time\":" + time + "}", time);
        }
        data.addClosers("ma-readings", PARTITIONS, "{\"sensor\":\"closer\",\"value\":0,\"time\":" + LATER + "}", LATER);
        List<String> results = runOnBoth(data, () -> MovingAverage.job("ma-readings", "ma-out"), "ma-out", List.of("ma-readings"), Map.of());
        assertThat(results).hasSizeGreaterThan(4 * 10); // 4 sensors, 10 minutes, a window per minute each
    }

    @Test
    void userSessionsWithAThirtyMinuteGap() throws Exception {
        StreamsData data = clicks("us-clicks", 300, true);
        List<String> results = runOnBoth(data, () -> UserSessions.job("us-clicks", "us-out"), "us-out", List.of("us-clicks"), Map.of());
        // every user clicked in both halves, 45 minutes apart: two sessions each
        assertThat(results).hasSize(2 * 8);
    }

    @Test
    void clicksEnrichedWithAUsersTable() throws Exception {
        StreamsData data = new StreamsData();
        for (int u = 0; u < 6; u++) { // users u6 and u7 have no row: the left join passes their clicks through
            String id = "u" + u;
            data.add("en-users", partitionOf(id), id, "{\"id\":\"" + id + "\",\"name\":\"Name" + u + "\",\"country\":\"C" + (u % 3) + "\"}", T0);
        }
        data.add("en-users", partitionOf("u0"), "u0", "{\"id\":\"u0\",\"name\":\"Renamed\",\"country\":\"C9\"}", T0 + 1); // the latest row wins
        StreamsData.In[] users = data.records().toArray(new StreamsData.In[0]);
        StreamsData clicks = clicks("en-clicks", 200, false);
        for (StreamsData.In c : clicks.records()) {
            data.add(c.topic(), c.partition(), c.key(), c.value(), c.timestamp());
        }
        List<String> results = runOnBoth(data, () -> EnrichClicks.job("en-clicks", "en-users", "en-out"), "en-out",
                List.of("en-clicks", "en-users"), Map.of("en-users", "compact"), users.length);
        assertThat(results).hasSize(clicks.records().size());
        assertThat(results).anyMatch(l -> l.startsWith("u0\t") && l.contains("\"name\":\"Renamed\""));
        assertThat(results).noneMatch(l -> l.startsWith("u0\t") && l.contains("\"name\":\"Name0\""));
        assertThat(results).anyMatch(l -> l.startsWith("u7\t") && l.contains("\"name\":null"));
    }

    @Test
    void windowedJoinOfOrdersAndPayments() throws Exception {
        StreamsData data = new StreamsData();
        Random rnd = new Random(5);
        List<StreamsData.In> payments = new ArrayList<>();
        int matching = 0;
        for (int i = 0; i < 100; i++) {
            String id = "o" + i;
            long time = T0 + i * 10_000L;
            data.add("pj-orders", partitionOf(id), id, "{\"id\":\"" + id + "\",\"user\":\"u" + (i % 7) + "\",\"amountCents\":" + (100 + i)
                    + ",\"time\":" + time + "}", time);
            if (i % 5 != 4) {
                long paid = time + rnd.nextInt(20) * MINUTE + 1;
                matching += paid - time <= 15 * MINUTE ? 1 : 0;
                payments.add(new StreamsData.In("pj-payments", partitionOf(id), id,
                        "{\"orderId\":\"" + id + "\",\"amountCents\":" + (100 + i) + ",\"time\":" + paid + "}", paid));
            }
        }
        payments.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
        payments.forEach(p -> data.add(p.topic(), p.partition(), p.key(), p.value(), p.timestamp()));
        List<String> results = runOnBoth(data, () -> PaidOrders.job("pj-orders", "pj-payments", "pj-out"), "pj-out",
                List.of("pj-orders", "pj-payments"), Map.of());
        assertThat(results).hasSize(matching);
    }

    // ---- running a job on both brokers ----

    private static List<String> runOnBoth(StreamsData data, Supplier<Job> job, String resultTopic, List<String> inputs,
            Map<String, String> cleanup) throws Exception {
        return runOnBoth(data, job, resultTopic, inputs, cleanup, 0);
    }

    /**
     * Produces the input ({@code before} records before the job starts, the rest after), runs the job on Brook and
     * on Kafka, and checks that both wrote what the test driver computes. Returns the (common) result.
     */
    private static List<String> runOnBoth(StreamsData data, Supplier<Job> job, String resultTopic, List<String> inputs,
            Map<String, String> cleanup, int before) throws Exception {
        Map<String, Integer> partitions = new TreeMap<>();
        inputs.forEach(t -> partitions.put(t, PARTITIONS));
        diagnostics = "";
        List<String> reference = data.reference(job.get(), resultTopic, partitions);
        assertThat(reference).as("the reference has results").isNotEmpty();
        List<String> onBrook = run(brook.bootstrapServers(), data, job.get(), resultTopic, inputs, cleanup, before, reference.size());
        List<String> onKafka = run(kafka.bootstrapServers(), data, job.get(), resultTopic, inputs, cleanup, before, reference.size());
        assertThat(onBrook).as("results on Brook; %s", diagnostics).isEqualTo(reference);
        assertThat(onKafka).as("results on Kafka; %s", diagnostics).isEqualTo(reference);
        return onBrook;
    }

    private static List<String> run(String bootstrap, StreamsData data, Job job, String resultTopic, List<String> inputs,
            Map<String, String> cleanup, int before, int expected) throws Exception {
        for (String t : inputs) {
            StreamsData.createTopics(bootstrap, PARTITIONS, cleanup.containsKey(t) ? Map.of("cleanup.policy", cleanup.get(t)) : Map.of(), t);
        }
        data.produce(bootstrap, 0, before);
        try (JobRunner runner = JobRunner.start(job, Map.of("bootstrap.servers", bootstrap, JobRunner.COMMIT_INTERVAL_MS, 200))) {
            data.produce(bootstrap, before, data.records().size());
            List<String> out = StreamsData.read(bootstrap, resultTopic, expected, Duration.ofSeconds(90), Duration.ofSeconds(2));
            assertThat(runner.state()).as("runner state (failure: %s)", runner.failure()).isEqualTo(JobRunner.State.RUNNING);
            if (out.size() != expected) {
                // what the job read and wrote on the way, for the failure message (a rare failure on Kafka lost every
                // result of one key, and nothing else said why)
                List<String> topics = new ArrayList<>(inputs);
                topics.add(job.name() + "-late");
                try (Admin admin = Clients.admin(bootstrap)) {
                    admin.listTopics().names().get().stream().filter(t -> t.startsWith(job.name() + "-repartition")).sorted().forEach(topics::add);
                }
                diagnostics = StreamsData.summary(bootstrap, topics);
            }
            return out;
        }
    }

    // ---- input ----

    /** {@code n} clicks of 8 users on 5 pages, 1.5 s apart with ±3 s jitter; with {@code gap}, the second half 45 min later. */
    private static StreamsData clicks(String topic, int n, boolean gap) {
        StreamsData data = new StreamsData();
        Random rnd = new Random(topic.hashCode());
        String[] pages = {"/home", "/cart", "/help", "/docs", "/pricing"};
        for (int i = 0; i < n; i++) {
            String user = "u" + (i % 8);
            long time = T0 + i * 1_500L + rnd.nextInt(6_000) - 3_000 + (gap && i >= n / 2 ? 45 * MINUTE : 0);
            data.add(topic, partitionOf(user), user, "{\"user\":\"" + user + "\",\"page\":\"" + pages[rnd.nextInt(pages.length)]
                    + "\",\"time\":" + time + "}", time);
        }
        data.addClosers(topic, PARTITIONS, "{\"user\":\"closer\",\"page\":\"/closer\",\"time\":" + LATER + "}", LATER);
        return data;
    }

    private static int partitionOf(String key) {
        return StreamsData.partitionOf(key, PARTITIONS);
    }

    private static String windowKey(String key, long start, long end) {
        return "{\"key\":\"" + key + "\",\"start\":" + start + ",\"end\":" + end + "}";
    }

    private static String field(String json, String name) {
        int i = json.indexOf("\"" + name + "\":") + name.length() + 3;
        int j = i;
        while (j < json.length() && json.charAt(j) != ',' && json.charAt(j) != '}') {
            j++;
        }
        return json.substring(i, j).replace("\"", "");
    }
}
