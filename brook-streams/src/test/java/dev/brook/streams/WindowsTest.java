package dev.brook.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every window type, both emit modes and the lateness rules, through the test driver, with hand-checked results. */
class WindowsTest {
    private static final Serde<Windowed<String>> WKEY = Serdes.windowedJson();
    private static final Serde<Long> COUNT = Serdes.json(Long.class);

    private static Duration ms(long n) {
        return Duration.ofMillis(n);
    }

    private static TestRecord<Windowed<String>, Long> r(String key, long start, long end, Long count, long ts) {
        return new TestRecord<>(new Windowed<>(key, start, end), count, ts);
    }

    private static TestDriver countJob(Windows windows, Emit emit, long outOfOrderMs) {
        Job job = Job.named("count");
        job.source("in", Serdes.string())
                .withWatermarks(Watermarks.boundedOutOfOrderness(ms(outOfOrderMs)))
                .window(windows).emit(emit)
                .count()
                .to("out");
        return new TestDriver(job);
    }

    @Test
    void tumblingWindowsEmitFinalCountsWhenTheWatermarkPassesTheirEnd() {
        TestDriver d = countJob(Windows.tumbling(ms(10)), Emit.ON_WINDOW_CLOSE, 2);
        TestDriver.Input<String, String> in = d.input("in", Serdes.string());
        in.pipe("a", "x", 1);
        in.pipe("a", "x", 5);
        in.pipe("b", "x", 7);
        in.pipe("a", "x", 3); // out of order, within the 2 ms bound of the watermark (7 - 2 = 5)
        assertThat(d.read("out", WKEY, COUNT)).isEmpty();
        in.pipe("a", "x", 12); // watermark 10 closes [0, 10)
        assertThat(d.read("out", WKEY, COUNT)).containsExactly(r("a", 0, 10, 3L, 9), r("b", 0, 10, 1L, 9));
        in.pipe("b", "x", 21); // watermark 19: [10, 20) still open
        assertThat(d.read("out", WKEY, COUNT)).isEmpty();
        in.pipe("b", "x", 22); // watermark 20 closes it
        assertThat(d.read("out", WKEY, COUNT)).containsExactly(r("a", 10, 20, 1L, 19));
        in.pipe("a", "late", 8); // [0, 10) closed: side output, not dropped, not counted
        assertThat(d.read("out", WKEY, COUNT)).isEmpty();
        assertThat(d.readLate(Serdes.string(), Serdes.string())).containsExactly(new TestRecord<>("a", "late", 8L));
    }

    @Test
    void onEveryUpdateEmitsEachChangedCount() {
        TestDriver d = countJob(Windows.tumbling(ms(10)), Emit.ON_EVERY_UPDATE, 0);
        TestDriver.Input<String, String> in = d.input("in", Serdes.string());
        in.pipe("a", "x", 1);
        in.pipe("a", "x", 2);
        in.pipe("b", "x", 11);
        in.pipe("a", "x", 12);
        assertThat(d.read("out", WKEY, COUNT)).containsExactly(
                r("a", 0, 10, 1L, 9), r("a", 0, 10, 2L, 9), r("b", 10, 20, 1L, 19), r("a", 10, 20, 1L, 19));
    }

    @Test
    void allowedLatenessKeepsAWindowOpenThenRoutesLaterRecordsToTheSideOutput() {
        TestDriver d = countJob(Windows.tumbling(ms(10)).allowedLateness(ms(5)), Emit.ON_WINDOW_CLOSE, 0);
        TestDriver.Input<String, String> in = d.input("in", Serdes.string());
        in.pipe("a", "x", 1);
        in.pipe("a", "x", 11); // watermark 11: [0, 10) ended but stays open until 15
        in.pipe("a", "x", 4); // late but within the allowed lateness: counted
        assertThat(d.read("out", WKEY, COUNT)).isEmpty();
        in.pipe("a", "x", 16); // watermark 16 >= 10 + 5: final result
        assertThat(d.read("out", WKEY, COUNT)).containsExactly(r("a", 0, 10, 2L, 9));
        in.pipe("a", "too-late", 5);
        assertThat(d.readLate(Serdes.string(), Serdes.string())).containsExactly(new TestRecord<>("a", "too-late", 5L));
        assertThat(d.read("out", WKEY, COUNT)).isEmpty();
    }

    @Test
    void onEveryUpdateWithLatenessRevisesAClosedWindowUntilTheLatenessRunsOut() {
        TestDriver d = countJob(Windows.tumbling(ms(10)).allowedLateness(ms(5)), Emit.ON_EVERY_UPDATE, 0);
        TestDriver.Input<String, String> in = d.input("in", Serdes.string());
        in.pipe("a", "x", 1);
        in.pipe("a", "x", 11);
        in.pipe("a", "x", 4);
        in.pipe("a", "x", 16);
        in.pipe("a", "x", 5);
        assertThat(d.read("out", WKEY, COUNT)).containsExactly(
                r("a", 0, 10, 1L, 9), r("a", 10, 20, 1L, 19), r("a", 0, 10, 2L, 9), r("a", 10, 20, 2L, 19));
        assertThat(d.readLate(Serdes.string(), Serdes.string())).containsExactly(new TestRecord<>("a", "x", 5L));
    }

    @Test
    void hoppingWindowsCountARecordInEveryWindowThatHoldsIt() {
        TestDriver d = countJob(Windows.hopping(ms(10), ms(5)), Emit.ON_WINDOW_CLOSE, 0);
        TestDriver.Input<String, String> in = d.input("in", Serdes.string());
        in.pipe("a", "x", 3); // [-5, 5) and [0, 10)
        in.pipe("a", "x", 7); // [0, 10) and [5, 15)
        in.pipe("a", "x", 12); // [5, 15) and [10, 20); watermark 12 closes [-5, 5) and [0, 10)
        assertThat(d.read("out", WKEY, COUNT)).containsExactly(r("a", -5, 5, 1L, 4), r("a", 0, 10, 2L, 9));
        in.pipe("a", "x", 30);
        assertThat(d.read("out", WKEY, COUNT)).containsExactly(r("a", 5, 15, 2L, 14), r("a", 10, 20, 1L, 19));
    }

    @Test
    void slidingWindowsAggregateTheTrailingSizeAtEveryRecordIncludingOutOfOrderOnes() {
        TestDriver d = countJob(Windows.sliding(ms(10)), Emit.ON_WINDOW_CLOSE, 5);
        TestDriver.Input<String, String> in = d.input("in", Serdes.string());
        in.pipe("a", "x", 10);
        in.pipe("a", "x", 14);
        in.pipe("a", "x", 12); // out of order: lands in the windows ending at 12 and 14
        assertThat(d.read("out", WKEY, COUNT)).isEmpty();
        in.pipe("a", "x", 30); // watermark 25 closes the windows ending at 10, 12, 14
        assertThat(d.read("out", WKEY, COUNT)).containsExactly(
                r("a", 1, 11, 1L, 10), r("a", 3, 13, 2L, 12), r("a", 5, 15, 3L, 14));
        in.pipe("a", "late", 20); // its own window (10, 20] closed at watermark 21
        assertThat(d.readLate(Serdes.string(), Serdes.string())).containsExactly(new TestRecord<>("a", "late", 20L));
    }

    @Test
    void slidingWindowsOnEveryUpdateReviseLaterWindowsThatAnOutOfOrderRecordFallsInto() {
        TestDriver d = countJob(Windows.sliding(ms(10)), Emit.ON_EVERY_UPDATE, 100);
        TestDriver.Input<String, String> in = d.input("in", Serdes.string());
        in.pipe("a", "x", 10);
        in.pipe("a", "x", 14);
        in.pipe("a", "x", 12);
        assertThat(d.read("out", WKEY, COUNT)).containsExactly(
                r("a", 1, 11, 1L, 10), r("a", 5, 15, 2L, 14), r("a", 3, 13, 2L, 12), r("a", 5, 15, 3L, 14));
    }

    @Test
    void sessionWindowsCloseAGapAfterTheirLastRecordAndSendLateOnesAside() {
        TestDriver d = countJob(Windows.session(ms(5)), Emit.ON_WINDOW_CLOSE, 0);
        TestDriver.Input<String, String> in = d.input("in", Serdes.string());
        in.pipe("a", "x", 1);
        in.pipe("a", "x", 4); // joins [1, 1]
        in.pipe("a", "x", 20); // watermark 20 >= 4 + 1 + 5 closes [1, 4]
        assertThat(d.read("out", WKEY, COUNT)).containsExactly(r("a", 1, 5, 2L, 4));
        in.pipe("a", "late", 12); // its own session would have closed at 18, and it is not within 5 of the open [20, 20]
        assertThat(d.readLate(Serdes.string(), Serdes.string())).containsExactly(new TestRecord<>("a", "late", 12L));
        in.pipe("a", "x", 17); // behind the watermark, but joins the open session [20, 20]
        in.pipe("a", "x", 40);
        assertThat(d.read("out", WKEY, COUNT)).containsExactly(r("a", 17, 21, 2L, 20));
    }

    @Test
    void aRecordBridgingTwoSessionsMergesThemAndRetractsTheOldResults() {
        TestDriver d = countJob(Windows.session(ms(5)), Emit.ON_EVERY_UPDATE, 100);
        TestDriver.Input<String, String> in = d.input("in", Serdes.string());
        in.pipe("b", "x", 1);
        in.pipe("b", "x", 10);
        in.pipe("b", "x", 6); // within 5 of both
        assertThat(d.read("out", WKEY, COUNT)).containsExactly(
                r("b", 1, 2, 1L, 1), r("b", 10, 11, 1L, 10),
                r("b", 1, 2, null, 1), r("b", 10, 11, null, 10), r("b", 1, 11, 3L, 10));
    }

    @Test
    void aggregationsOtherThanCount() {
        Job job = Job.named("aggs");
        Stream<String, Long> in = job.source("in", Serdes.longs()).withWatermarks(Watermarks.ascending());
        Windows w = Windows.tumbling(ms(10));
        in.window(w).sum(v -> v).to("sum");
        in.window(w).min(Long::compare).to("min");
        in.window(w).max(Long::compare).to("max");
        in.window(w).reduce((a, b) -> a * b).to("product");
        in.window(w).average(v -> v).to("avg");
        in.window(w).aggregate(() -> "", (s, v) -> s + v + ";", Serdes.string()).to("folded");
        TestDriver d = new TestDriver(job);
        TestDriver.Input<String, Long> pipe = d.input("in", Serdes.longs());
        pipe.pipe("k", 4L, 1);
        pipe.pipe("k", 2L, 2);
        pipe.pipe("k", 5L, 3);
        pipe.pipe("k", 100L, 10);
        Windowed<String> w0 = new Windowed<>("k", 0, 10);
        assertThat(d.read("sum", WKEY, COUNT)).containsExactly(new TestRecord<>(w0, 11L, 9));
        assertThat(d.read("min", WKEY, Serdes.longs())).containsExactly(new TestRecord<>(w0, 2L, 9));
        assertThat(d.read("max", WKEY, Serdes.longs())).containsExactly(new TestRecord<>(w0, 5L, 9));
        assertThat(d.read("product", WKEY, Serdes.longs())).containsExactly(new TestRecord<>(w0, 40L, 9));
        assertThat(d.read("avg", WKEY, Serdes.json(Double.class))).containsExactly(new TestRecord<>(w0, 11.0 / 3, 9));
        assertThat(d.read("folded", WKEY, Serdes.string())).containsExactly(new TestRecord<>(w0, "4;2;5;", 9));
    }

    @Test
    void sessionAggregateNeedsAMerger() {
        Job job = Job.named("s");
        WindowedStream<String, String> w = job.source("in", Serdes.string()).window(Windows.session(ms(5)));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.aggregate(() -> 0L, (a, v) -> a + 1, Serdes.longs()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("merge");
    }
}
