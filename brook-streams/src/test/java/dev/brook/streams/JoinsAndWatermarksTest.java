package dev.brook.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Joins, per-partition watermarks and idleness, and the stateless steps, through the test driver. */
class JoinsAndWatermarksTest {
    private static final Serde<Windowed<String>> WKEY = Serdes.windowedJson();
    private static final Serde<Long> COUNT = Serdes.json(Long.class);

    @Test
    void streamTableJoinUsesTheTableRowCurrentWhenTheRecordArrives() {
        Job job = Job.named("enrich");
        Table<String, String> users = job.table("users", Serdes.string());
        job.source("clicks", Serdes.string()).join(users, (page, name) -> page + " by " + name).to("inner", Serdes.string(), Serdes.string());
        TestDriver d = new TestDriver(job);
        TestDriver.Input<String, String> u = d.input("users", Serdes.string());
        TestDriver.Input<String, String> c = d.input("clicks", Serdes.string());
        u.pipe("u1", "Ann", 1);
        c.pipe("u1", "home", 2);
        c.pipe("u2", "cart", 3); // no row: an inner join writes nothing
        u.pipe("u1", "Bob", 4);
        c.pipe("u1", "help", 5);
        u.pipe("u1", null, 6); // deleted
        c.pipe("u1", "exit", 7);
        assertThat(d.read("inner", Serdes.string(), Serdes.string())).containsExactly(
                new TestRecord<>("u1", "home by Ann", 2L), new TestRecord<>("u1", "help by Bob", 5L));
    }

    @Test
    void leftJoinKeepsRecordsWithoutARow() {
        Job job = Job.named("enrich");
        Table<String, String> users = job.table("users", Serdes.string());
        job.source("clicks", Serdes.string()).leftJoin(users, (page, name) -> page + " by " + name).to("left", Serdes.string(), Serdes.string());
        TestDriver d = new TestDriver(job);
        d.input("clicks", Serdes.string()).pipe("u2", "cart", 3);
        assertThat(d.read("left", Serdes.string(), Serdes.string())).containsExactly(new TestRecord<>("u2", "cart by null", 3L));
    }

    @Test
    void windowedStreamStreamJoinPairsRecordsCloseInEventTime() {
        Job job = Job.named("pay");
        Stream<String, String> orders = job.source("orders", Serdes.string());
        Stream<String, String> payments = job.source("payments", Serdes.string());
        orders.join(payments, Duration.ofMillis(5), (o, p) -> o + "+" + p).to("paid", Serdes.string(), Serdes.string());
        TestDriver d = new TestDriver(job);
        TestDriver.Input<String, String> o = d.input("orders", Serdes.string());
        TestDriver.Input<String, String> p = d.input("payments", Serdes.string());
        o.pipe("a", "o10", 10);
        p.pipe("a", "p12", 12); // 2 ms apart: joins, at the later time
        p.pipe("a", "p20", 20); // 10 ms from o10: no
        p.pipe("b", "p11", 11); // other key: no
        o.pipe("a", "o18", 18); // 2 ms from p20, 6 from p12
        assertThat(d.read("paid", Serdes.string(), Serdes.string())).containsExactly(
                new TestRecord<>("a", "o10+p12", 12L), new TestRecord<>("a", "o18+p20", 20L));
        // the watermark is the minimum of both inputs: min(18, 20) = 18; a record at 5 is behind it
        o.pipe("a", "o5", 5);
        assertThat(d.read("paid", Serdes.string(), Serdes.string())).isEmpty();
        assertThat(d.readLate(Serdes.string(), Serdes.string())).containsExactly(new TestRecord<>("a", "o5", 5L));
    }

    /** Words on a 2-partition topic, re-keyed (repartitioned) and counted in 10 ms windows. */
    private static TestDriver wordCounts(Watermarks watermarks) {
        Job job = Job.named("words");
        job.source("text", Serdes.string())
                .withWatermarks(watermarks)
                .keyBy(v -> v)
                .window(Windows.tumbling(Duration.ofMillis(10)))
                .count()
                .to("counts");
        return new TestDriver(job).partitions("text", 2);
    }

    @Test
    void afterARepartitionTheWatermarkIsTheMinimumOverTheUpstreamPartitions() {
        TestDriver d = wordCounts(Watermarks.ascending().withIdleness(Duration.ofSeconds(1)));
        TestDriver.Input<String, String> in = d.input("text", Serdes.string());
        in.pipe(0, null, "x", 1);
        in.pipe(1, null, "y", 2);
        in.pipe(0, null, "x", 15); // partition 0 is at 15, partition 1 still at 2
        assertThat(d.read("counts", WKEY, COUNT)).isEmpty();
        in.pipe(1, null, "y", 12); // both past 10: [0, 10) closes everywhere
        assertThat(d.read("counts", WKEY, COUNT)).extracting(r -> r.key().key() + "=" + r.value())
                .containsExactlyInAnyOrder("x=1", "y=1");
    }

    @Test
    void anIdlePartitionStopsHoldingTheWatermarkBack() {
        TestDriver d = wordCounts(Watermarks.ascending().withIdleness(Duration.ofSeconds(1)));
        TestDriver.Input<String, String> in = d.input("text", Serdes.string());
        in.pipe(0, null, "x", 1);
        d.advanceWallClock(Duration.ofMillis(600));
        in.pipe(0, null, "x", 15); // partition 1 never had a record: it holds the watermark at its start
        assertThat(d.read("counts", WKEY, COUNT)).isEmpty();
        d.advanceWallClock(Duration.ofMillis(600)); // partition 1 quiet for 1.2 s: idle; partition 0 active 600 ms ago
        assertThat(d.read("counts", WKEY, COUNT)).containsExactly(
                new TestRecord<>(new Windowed<>("x", 0, 10), 1L, 9L));
    }

    @Test
    void aQuietPartitionWithUnfetchedRecordsIsNotIdle() {
        TestDriver d = wordCounts(Watermarks.ascending().withIdleness(Duration.ofSeconds(1)));
        TestDriver.Input<String, String> in = d.input("text", Serdes.string());
        d.behind("text", 1, true); // its consumer has not fetched partition 1 yet
        in.pipe(0, null, "x", 1);
        in.pipe(0, null, "x", 15);
        d.advanceWallClock(Duration.ofSeconds(5));
        assertThat(d.read("counts", WKEY, COUNT)).as("partition 1 holds the watermark while behind").isEmpty();
        in.pipe(1, null, "y", 2); // fetched at last: on time, not late
        d.behind("text", 1, false);
        d.advanceWallClock(Duration.ofSeconds(5)); // now quiet and caught up: idle
        assertThat(d.read("counts", WKEY, COUNT)).containsExactlyInAnyOrder(
                new TestRecord<>(new Windowed<>("x", 0, 10), 1L, 9L), new TestRecord<>(new Windowed<>("y", 0, 10), 1L, 9L));
        assertThat(d.readLate(Serdes.string(), Serdes.string())).isEmpty();
    }

    @Test
    void withoutIdlenessAQuietPartitionHoldsWindowsOpen() {
        TestDriver d = wordCounts(Watermarks.ascending().withoutIdleness());
        TestDriver.Input<String, String> in = d.input("text", Serdes.string());
        in.pipe(0, null, "x", 1);
        in.pipe(0, null, "x", 15);
        d.advanceWallClock(Duration.ofHours(1));
        assertThat(d.read("counts", WKEY, COUNT)).isEmpty();
    }

    @Test
    void statelessStepsMapFilterFlatMapBranchMergeAndPeek() {
        Job job = Job.named("stateless");
        List<String> seen = new java.util.ArrayList<>();
        Stream<String, String> lines = job.source("lines", Serdes.string());
        Stream<String, String> words = lines.flatMap(l -> List.of(l.split(" ")), Serdes.string()).peek(seen::add);
        List<Stream<String, String>> parts = words.branch(w -> w.startsWith("a"), w -> w.length() > 3);
        parts.get(0).map(String::toUpperCase, Serdes.string()).to("a-words", Serdes.string(), Serdes.string());
        parts.get(1).filter(w -> !w.equals("skip")).to("long-words", Serdes.string(), Serdes.string());
        parts.get(0).merge(parts.get(1)).map(String::length, Serdes.json(Integer.class))
                .to("lengths", Serdes.string(), Serdes.json(Integer.class));
        TestDriver d = new TestDriver(job);
        d.input("lines", Serdes.string()).pipe("k", "an apple is tasty skip me", 7);
        assertThat(seen).containsExactly("an", "apple", "is", "tasty", "skip", "me");
        assertThat(d.read("a-words", Serdes.string(), Serdes.string())).extracting(TestRecord::value).containsExactly("AN", "APPLE");
        assertThat(d.read("long-words", Serdes.string(), Serdes.string())).extracting(TestRecord::value).containsExactly("tasty");
        assertThat(d.read("lengths", Serdes.string(), Serdes.json(Integer.class))).extracting(TestRecord::value)
                .containsExactly(2, 5, 5, 4);
    }
}
