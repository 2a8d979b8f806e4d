package dev.brook.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A task upstream of a repartition sends its watermark markers once per batch of input, not once per record: each
 * marker goes to every partition of the repartition topic, so one per record cost a keyBy job as many extra records
 * as it had input, times the partitions.
 */
class RepartitionMarkersTest {
    private static final int PARTITIONS = 3;

    /** The task of the job's first sub-topology (reading {@code text}) for partition 0, writing into {@code out}. */
    private static Task upstreamTask(Recording out) {
        Job job = Job.named("words");
        job.source("text", Serdes.string())
                .keyBy(v -> v)
                .window(Windows.tumbling(Duration.ofMillis(10)))
                .count()
                .to("counts");
        Topology.Sub upstream = job.topology().subs.stream()
                .filter(s -> s.sources.stream().anyMatch(src -> src.topic.equals("text")))
                .findFirst().orElseThrow();
        return new Task(upstream, 0, out, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
    }

    @Test
    void aBatchOfRecordsSendsOneMarkerPerRepartitionPartitionCarryingTheLastWatermark() {
        Recording out = new Recording();
        Task task = upstreamTask(out);
        for (int i = 0; i < 100; i++) {
            task.processAndAdvance("text", i, null, ("w" + i % 7).getBytes(StandardCharsets.UTF_8), 1_000 + i);
        }
        assertThat(out.records).as("every record is repartitioned at once").isEqualTo(100);
        assertThat(out.markers).as("markers wait for the end of the batch").isEmpty();

        task.endOfBatch();
        assertThat(out.markers).hasSize(PARTITIONS)
                .allSatisfy(m -> assertThat(m).isEqualTo(task.watermark()));

        task.endOfBatch();
        assertThat(out.markers).as("a batch that moved nothing sends nothing").hasSize(PARTITIONS);

        task.processAndAdvance("text", 100, null, "w".getBytes(StandardCharsets.UTF_8), 5_000);
        task.endOfBatch();
        assertThat(out.markers).hasSize(2 * PARTITIONS);
        assertThat(out.markers.get(out.markers.size() - 1)).isEqualTo(task.watermark());
    }

    @Test
    void aCommitSendsMarkersTheBatchHasNotSentYet() {
        Recording out = new Recording();
        Task task = upstreamTask(out);
        task.processAndAdvance("text", 0, null, "w".getBytes(StandardCharsets.UTF_8), 9_000);
        task.resendMarkers();
        assertThat(out.markers).hasSize(PARTITIONS).allSatisfy(m -> assertThat(m).isEqualTo(task.watermark()));
    }

    /** Counts repartitioned records and keeps each marker's watermark. */
    private static final class Recording implements TaskOutput {
        int records;
        final List<Long> markers = new ArrayList<>();

        @Override
        public void send(String topic, int partition, byte[] key, byte[] value, long timestamp) {
            if (topic.contains("repartition")) {
                records++;
            }
        }

        @Override
        public void sendWatermark(String topic, int partition, int origin, long watermark, boolean idle) {
            markers.add(watermark);
        }

        @Override
        public int partitionsOf(String topic) {
            return PARTITIONS;
        }

        @Override
        public boolean caughtUp(String topic, int partition) {
            return true;
        }
    }
}
