package dev.brook.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.broker.cluster.TopicRegistry;
import dev.brook.log.Flusher;
import dev.brook.log.LogCleaner;
import dev.brook.log.LogConfig;
import dev.brook.log.LogManager;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator over a real log on disk: offsets survive a restart, expire, and follow topic deletion. */
class GroupCoordinatorTest {
    @TempDir
    Path dir;

    private final ManualGroupTimer timer = new ManualGroupTimer();
    private final GroupConfig config = new GroupConfig(6_000, 1_800_000, 300, 100, 3_600_000L, 4096, 45_000, 5_000, 45_000, 60_000, 5_000, 15_000);
    private LogManager logs;
    private TopicRegistry topics;
    private Flusher flusher;
    private GroupCoordinator coordinator;
    private Map<String, String> offsetsTopicConfigs = Map.of("cleanup.policy", "compact");

    private void open() {
        logs = LogManager.open(dir, Clock.systemUTC(), 300_000, 100);
        topics = new TopicRegistry(logs, LogConfig.defaults(), tp -> { });
        flusher = new Flusher("test-flusher", 0);
        var offsetsTopic = topics.topic(GroupCoordinator.OFFSETS_TOPIC) != null ? topics.topic(GroupCoordinator.OFFSETS_TOPIC)
                : topics.createInternal(GroupCoordinator.OFFSETS_TOPIC, 1, offsetsTopicConfigs);
        coordinator = GroupCoordinator.start(config, timer, new GroupLog(offsetsTopic.partition(0), flusher), topics);
        topics.onTopicDeleted(coordinator::topicDeleted);
        if (topics.topic("orders") == null) {
            topics.create("orders", 3, Map.of());
        }
    }

    private void close() {
        flusher.close();
        logs.close();
    }

    @AfterEach
    void tearDown() {
        if (logs != null) {
            close();
        }
    }

    private OffsetCommitResponseData commit(String group, int partition, long offset, String metadata) throws Exception {
        return coordinator.commitOffsets(new OffsetCommitRequestData().setGroupId(group).setGenerationIdOrMemberEpoch(-1).setMemberId("")
                .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("orders")
                        .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(partition).setCommittedOffset(offset).setCommittedMetadata(metadata))))), (short) 9).get();
    }

    private OffsetFetchResponseData.OffsetFetchResponsePartitions fetch(String group, int partition) throws Exception {
        OffsetFetchResponseData r = coordinator.fetchOffsets(new OffsetFetchRequestData().setGroups(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(group).setTopics(List.of(
                        new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("orders").setPartitionIndexes(List.of(partition)))))),
                (short) 9).get();
        return r.groups().get(0).topics().get(0).partitions().get(0);
    }

    @Test
    void committedOffsetsAndTheirMetadataSurviveARestart() throws Exception {
        open();
        assertThat(commit("g", 1, 42, "checkpoint-a").topics().get(0).partitions().get(0).errorCode()).isZero();
        assertThat(fetch("g", 1).committedOffset()).isEqualTo(42);
        close();
        open();
        OffsetFetchResponseData.OffsetFetchResponsePartitions p = fetch("g", 1);
        assertThat(p.committedOffset()).isEqualTo(42);
        assertThat(p.metadata()).isEqualTo("checkpoint-a");
        assertThat(fetch("g", 2).committedOffset()).as("never committed").isEqualTo(-1);
    }

    @Test
    void commitsToUnknownTopicsOrWithOversizedMetadataAreRefused() throws Exception {
        open();
        OffsetCommitResponseData r = coordinator.commitOffsets(new OffsetCommitRequestData().setGroupId("g").setGenerationIdOrMemberEpoch(-1)
                .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("nope")
                        .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1))))),
                (short) 9).get();
        assertThat(r.topics().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(commit("g", 0, 1, "x".repeat(5000)).topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.OFFSET_METADATA_TOO_LARGE.code());
    }

    @Test
    void offsetsOfAGroupEmptyLongerThanTheRetentionExpireForGood() throws Exception {
        open();
        commit("idle", 0, 7, null);
        commit("busy", 0, 9, null);
        timer.advance(config.offsetsRetentionMs() / 2);
        commit("busy", 0, 10, null);
        timer.advance(config.offsetsRetentionMs() / 2 + GroupCoordinator.EXPIRY_CHECK_INTERVAL_MS);
        assertThat(fetch("idle", 0).committedOffset()).isEqualTo(-1);
        close();
        open();
        assertThat(fetch("idle", 0).committedOffset()).as("expiry is durable").isEqualTo(-1);
    }

    @Test
    void deletingATopicDeletesItsCommittedOffsets() throws Exception {
        open();
        commit("g", 0, 5, null);
        topics.delete("orders");
        topics.create("orders", 3, Map.of());
        assertThat(fetch("g", 0).committedOffset()).isEqualTo(-1);
    }

    @Test
    void theLogCleanerCompactsTheGroupLogAndItStillReplaysToTheSameOffsets() throws Exception {
        offsetsTopicConfigs = Map.of("cleanup.policy", "compact", "segment.bytes", "16384");
        open();
        for (int i = 0; i < 12_000; i++) {
            commit("g", i % 3, i, null);
        }
        commit("other", 0, 5, null);
        var log = topics.topic(GroupCoordinator.OFFSETS_TOPIC).partition(0).storage();
        long before = log.sizeInBytes();
        logs.startCleaner(new LogCleaner.Settings(true, 1, 1 << 20, Double.MAX_VALUE, 10));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> log.sizeInBytes() < before / 10);
        close();
        open();
        assertThat(fetch("g", 0).committedOffset()).isEqualTo(11_997);
        assertThat(fetch("g", 1).committedOffset()).isEqualTo(11_998);
        assertThat(fetch("g", 2).committedOffset()).isEqualTo(11_999);
        assertThat(fetch("other", 0).committedOffset()).isEqualTo(5);
    }
}
