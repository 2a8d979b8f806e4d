package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ShareAcknowledgeRequest;
import org.apache.kafka.common.requests.ShareAcknowledgeResponse;
import org.apache.kafka.common.requests.ShareFetchRequest;
import org.apache.kafka.common.requests.ShareFetchResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Wrong share-group requests, sent raw: acknowledging records not acquired, beyond the log, held by another member, or
 * whose lock has expired gets INVALID_RECORD_STATE for that partition and changes nothing; malformed batches get
 * INVALID_REQUEST; a wrong or missing share session gets Kafka's session errors. The broker keeps serving.
 */
@Timeout(120)
class ShareGroupBadInputTest {
    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static String topic;
    private static Uuid topicId;
    private static int correlation;

    @BeforeAll
    static void topicWithRecords() throws Exception {
        topic = AdminClientTest.uniqueTopic();
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            topicId = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).topicId();
        }
        try (KafkaProducer<String, String> p = Clients.producer(brook.bootstrapServers())) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
        }
    }

    private static String group(String lockMs) throws Exception {
        String group = "bad-" + AdminClientTest.uniqueTopic();
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(
                    new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("share.record.lock.duration.ms", lockMs), AlterConfigOp.OpType.SET)))).all().get();
        }
        return group;
    }

    private static ShareFetchResponseData fetch(RawConnection c, String group, String member, int epoch, int maxRecords,
                                                ShareFetchRequestData.AcknowledgementBatch... acks) throws IOException {
        ShareFetchRequestData.FetchPartition p = new ShareFetchRequestData.FetchPartition().setPartitionIndex(0);
        for (ShareFetchRequestData.AcknowledgementBatch a : acks) {
            p.acknowledgementBatches().add(a);
        }
        ShareFetchRequestData.FetchTopic t = new ShareFetchRequestData.FetchTopic().setTopicId(topicId);
        t.partitions().add(p);
        ShareFetchRequestData data = new ShareFetchRequestData().setGroupId(group).setMemberId(member).setShareSessionEpoch(epoch)
                .setMaxWaitMs(200).setMinBytes(1).setMaxBytes(1 << 20).setMaxRecords(maxRecords).setBatchSize(maxRecords);
        data.topics().add(t);
        ShareFetchResponse r = (ShareFetchResponse) c.roundTrip(new ShareFetchRequest.Builder(data).build((short) 1),
                new RequestHeader(ApiKeys.SHARE_FETCH, (short) 1, "bad-input", ++correlation));
        return r.data();
    }

    private static ShareAcknowledgeResponseData ack(RawConnection c, String group, String member, int epoch,
                                                    ShareAcknowledgeRequestData.AcknowledgementBatch... acks) throws IOException {
        ShareAcknowledgeRequestData.AcknowledgePartition p = new ShareAcknowledgeRequestData.AcknowledgePartition().setPartitionIndex(0);
        for (ShareAcknowledgeRequestData.AcknowledgementBatch a : acks) {
            p.acknowledgementBatches().add(a);
        }
        ShareAcknowledgeRequestData.AcknowledgeTopic t = new ShareAcknowledgeRequestData.AcknowledgeTopic().setTopicId(topicId);
        t.partitions().add(p);
        ShareAcknowledgeRequestData data = new ShareAcknowledgeRequestData().setGroupId(group).setMemberId(member).setShareSessionEpoch(epoch);
        data.topics().add(t);
        ShareAcknowledgeResponse r = (ShareAcknowledgeResponse) c.roundTrip(new ShareAcknowledgeRequest.Builder(data).build((short) 1),
                new RequestHeader(ApiKeys.SHARE_ACKNOWLEDGE, (short) 1, "bad-input", ++correlation));
        return r.data();
    }

    private static ShareAcknowledgeRequestData.AcknowledgementBatch batch(long first, long last, int type) {
        return new ShareAcknowledgeRequestData.AcknowledgementBatch().setFirstOffset(first).setLastOffset(last)
                .setAcknowledgeTypes(List.of((byte) type));
    }

    private static short ackError(ShareAcknowledgeResponseData r) {
        assertThat(r.errorCode()).as("top-level error").isZero();
        return r.responses().iterator().next().partitions().get(0).errorCode();
    }

    private static RawConnection open() throws IOException {
        return RawConnection.open(brook.bootstrapServers(), Duration.ofSeconds(20));
    }

    @Test
    void acknowledgingWhatTheMemberDoesNotHoldIsAnInvalidRecordState() throws Exception {
        String group = group("15000");
        try (RawConnection a = open(); RawConnection b = open()) {
            ShareFetchResponseData got = fetch(a, group, "member-a", 0, 3);
            ShareFetchResponseData.AcquiredRecords acquired = got.responses().iterator().next().partitions().get(0).acquiredRecords().get(0);
            assertThat(acquired.firstOffset()).isZero();
            assertThat(acquired.lastOffset()).isGreaterThanOrEqualTo(2);
            long held = acquired.lastOffset();
            assertThat(fetch(b, group, "member-b", 0, 1).errorCode()).isZero(); // b opens a session (and takes the next record)

            assertThat(ackError(ack(b, group, "member-b", 1, batch(0, 0, 1)))).as("held by another member")
                    .isEqualTo(Errors.INVALID_RECORD_STATE.code());
            assertThat(ackError(ack(a, group, "member-a", 1, batch(held + 1, held + 1, 1)))).as("not acquired by a")
                    .isEqualTo(Errors.INVALID_RECORD_STATE.code());
            assertThat(ackError(ack(a, group, "member-a", 2, batch(1_000, 1_000, 1)))).as("beyond the log")
                    .isEqualTo(Errors.INVALID_RECORD_STATE.code());
            assertThat(ackError(ack(a, group, "member-a", 3, batch(2, 1, 1)))).as("first after last")
                    .isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(ackError(ack(a, group, "member-a", 4, batch(0, 0, 9)))).as("unknown type")
                    .isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(ack(a, group, "member-a", 9, batch(0, 0, 1)).errorCode()).as("wrong session epoch")
                    .isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH.code());
            assertThat(ack(a, group, "member-x", 1, batch(0, 0, 1)).errorCode()).as("no session")
                    .isEqualTo(Errors.SHARE_SESSION_NOT_FOUND.code());
            assertThat(fetch(a, group, "member-a", 0, 1, new ShareFetchRequestData.AcknowledgementBatch().setFirstOffset(0).setLastOffset(0)
                    .setAcknowledgeTypes(List.of((byte) 1))).errorCode()).as("acknowledging while opening a session")
                    .isEqualTo(Errors.INVALID_REQUEST.code());
        }
        try (RawConnection a = open()) {
            // none of that changed anything, and a's session ended with its connection: its records came back
            ShareFetchResponseData again = fetch(a, group, "member-a", 0, 3);
            ShareFetchResponseData.AcquiredRecords r = again.responses().iterator().next().partitions().get(0).acquiredRecords().get(0);
            assertThat(r.firstOffset()).isZero();
            assertThat(r.deliveryCount()).isEqualTo((short) 2);
            assertThat(ackError(ack(a, group, "member-a", 1, batch(r.firstOffset(), r.lastOffset(), 1)))).isZero();
        }
    }

    @Test
    void acknowledgingAfterTheLockExpiredIsAnInvalidRecordState() throws Exception {
        String group = group("15000"); // the shortest lock Kafka's bounds allow: this test waits that long once
        try (RawConnection a = open()) {
            ShareFetchResponseData got = fetch(a, group, "member-a", 0, 1);
            ShareFetchResponseData.AcquiredRecords acquired = got.responses().iterator().next().partitions().get(0).acquiredRecords().get(0);
            Thread.sleep(15_500);
            assertThat(ackError(ack(a, group, "member-a", 1, batch(acquired.firstOffset(), acquired.firstOffset(), 1))))
                    .as("the lock expired").isEqualTo(Errors.INVALID_RECORD_STATE.code());
            ShareFetchResponseData again = fetch(a, group, "member-a", 2, 1);
            ShareFetchResponseData.AcquiredRecords r = again.responses().iterator().next().partitions().get(0).acquiredRecords().get(0);
            assertThat(r.firstOffset()).as("delivered again").isEqualTo(acquired.firstOffset());
            assertThat(r.deliveryCount()).isEqualTo((short) 2);
        }
    }
}
