package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every API Brook advertises, at every version it advertises, answers a request about the state a real cluster
 * has (a topic with records, a stable classic group with a static member, a KIP-848 group, absent names) with a
 * response kafka-clients can parse, on a connection that stays open. Most requests are chosen to fail (unknown
 * members, absent groups and topics, invalid configs), because error paths are where a field that a version lacks
 * (an error message before v6 of DescribeGroups, say) gets set and the response cannot be written.
 *
 * <p>An API added to Brook without a request here fails {@link #everyAdvertisedApiHasARequestHere}.
 */
@Timeout(180)
class EveryApiVersionTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static final String CLASSIC = "versions-classic";
    private static final String CONSUMER = "versions-consumer";
    private static final String ABSENT = "versions-absent";
    private static String topic;
    private static Uuid topicId;
    private static KafkaConsumer<String, String> classicMember;
    private static KafkaConsumer<String, String> consumerMember;

    @BeforeAll
    static void createTopicAndGroups() throws Exception {
        topic = AdminClientTest.uniqueTopic();
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            topicId = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).topicId();
        }
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, "k" + i, "v" + i)).get(10, TimeUnit.SECONDS);
            }
        }
        classicMember = join(CLASSIC, Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "static-1"));
        consumerMember = join(CONSUMER, Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer"));
    }

    /** A member that polls until it owns partitions and commits; its heartbeats then keep it in the group. */
    private static KafkaConsumer<String, String> join(String group, Map<String, Object> overrides) {
        Map<String, Object> config = new java.util.HashMap<>(overrides);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers(), config);
        consumer.subscribe(List.of(topic));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200));
        }
        assertThat(consumer.assignment()).as("partitions of %s", group).isNotEmpty();
        consumer.commitSync();
        return consumer;
    }

    @AfterAll
    static void leave() {
        if (classicMember != null) {
            classicMember.close(Duration.ofSeconds(5));
        }
        if (consumerMember != null) {
            consumerMember.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void everyAdvertisedApiHasARequestHere() throws IOException {
        List<ApiKeys> missing = new ArrayList<>();
        for (ApiVersionsResponseData.ApiVersion api : advertised()) {
            ApiKeys key = ApiKeys.forId(api.apiKey());
            if (requests(key).isEmpty()) {
                missing.add(key);
            }
        }
        assertThat(missing).as("advertised APIs this test sends nothing for").isEmpty();
    }

    @Test
    void everyAdvertisedVersionOfEveryApiIsAnsweredWithAResponseTheClientCanParse() throws IOException {
        List<String> failures = new ArrayList<>();
        int answered = 0;
        RawConnection connection = open();
        try {
            for (ApiVersionsResponseData.ApiVersion api : advertised()) {
                ApiKeys key = ApiKeys.forId(api.apiKey());
                short from = (short) Math.max(api.minVersion(), key.oldestVersion());
                short to = (short) Math.min(api.maxVersion(), key.latestVersion());
                for (short version = from; version <= to; version++) {
                    for (Function<Short, AbstractRequest> request : requests(key)) {
                        AbstractRequest built;
                        try {
                            built = request.apply(version);
                        } catch (RuntimeException e) {
                            failures.add(key + " v" + version + ": this test cannot build its request: " + e);
                            continue;
                        }
                        if (built == null) {
                            continue; // this request has no form at this version
                        }
                        RequestHeader header = new RequestHeader(key, version, "every-version", 1000 + answered);
                        try {
                            AbstractResponse response = connection.roundTrip(built, header);
                            assertThat(response.apiKey()).isEqualTo(key);
                            answered++;
                        } catch (IOException | RuntimeException e) {
                            failures.add(key + " v" + version + " " + built.data() + ": " + e);
                            connection.close();
                            connection = open();
                        }
                    }
                }
            }
        } finally {
            connection.close();
        }
        assertThat(failures).as("requests the broker did not answer with a parseable response (of %d answered)", answered).isEmpty();
        assertThat(answered).as("responses parsed").isGreaterThan(200);
    }

    @Test
    void describeGroupsBeforeV6ShowsAKip848GroupAndAnAbsentOneAsDeadAndV6SaysWhyAsKafkaDoes() throws IOException {
        try (RawConnection connection = open()) {
            for (short version = 0; version <= 6; version++) {
                DescribeGroupsResponse response = (DescribeGroupsResponse) connection.roundTrip(
                        new DescribeGroupsRequest.Builder(new DescribeGroupsRequestData().setGroups(List.of(CLASSIC, CONSUMER, ABSENT)))
                                .build(version), new RequestHeader(ApiKeys.DESCRIBE_GROUPS, version, "every-version", 77));
                Map<String, DescribeGroupsResponseData.DescribedGroup> byId = response.data().groups().stream()
                        .collect(Collectors.toMap(DescribeGroupsResponseData.DescribedGroup::groupId, g -> g));
                assertThat(byId.get(CLASSIC).errorCode()).as("v%d classic group", version).isZero();
                assertThat(byId.get(CLASSIC).groupState()).as("v%d classic group", version).isEqualTo("Stable");
                assertThat(byId.get(CLASSIC).members()).as("v%d classic group", version).hasSize(1);
                for (String other : List.of(CONSUMER, ABSENT)) {
                    DescribeGroupsResponseData.DescribedGroup g = byId.get(other);
                    if (version < 6) {
                        assertThat(g.errorCode()).as("v%d %s", version, other).isZero();
                        assertThat(g.groupState()).as("v%d %s", version, other).isEqualTo("Dead");
                    } else {
                        assertThat(g.errorCode()).as("v6 %s", other).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
                        assertThat(g.errorMessage()).as("v6 %s", other).contains(other);
                    }
                }
            }
        }
    }

    private static List<ApiVersionsResponseData.ApiVersion> advertised() throws IOException {
        try (RawConnection connection = open()) {
            ApiVersionsResponse versions = (ApiVersionsResponse) connection.roundTrip(new ApiVersionsRequest.Builder().build((short) 3),
                    new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "every-version", 1));
            return new ArrayList<>(versions.data().apiKeys());
        }
    }

    private static RawConnection open() throws IOException {
        return RawConnection.open(brook.bootstrapServers(), Duration.ofSeconds(20));
    }

    /** The requests sent at each version of {@code api}; empty for an API this test does not know. */
    private static List<Function<Short, AbstractRequest>> requests(ApiKeys api) {
        TopicPartition p0 = new TopicPartition(topic, 0);
        return switch (api) {
            case API_VERSIONS -> List.of(v -> new ApiVersionsRequest.Builder().build(v));
            case METADATA -> List.of(
                    v -> raw(ApiKeys.METADATA, v, new MetadataRequestData().setAllowAutoTopicCreation(v < 4).setTopics(List.of(
                            new MetadataRequestData.MetadataRequestTopic().setName(topic),
                            new MetadataRequestData.MetadataRequestTopic().setName("absent-" + topic)))),
                    v -> raw(ApiKeys.METADATA, v, new MetadataRequestData().setAllowAutoTopicCreation(v < 4)
                            .setTopics(v == 0 ? List.of() : null)));
            case PRODUCE -> List.of(v -> produce(v, topic, 0), v -> produce(v, topic, 7), v -> produce(v, "absent-" + topic, 0));
            case FETCH -> List.of(v -> FetchRequest.Builder.forConsumer(v, 10, 1, Map.of(
                    p0, new FetchRequest.PartitionData(topicId, 0, 0, 1 << 20, Optional.empty()),
                    new TopicPartition(topic, 1), new FetchRequest.PartitionData(topicId, 10_000, 0, 1 << 20, Optional.empty()),
                    new TopicPartition(topic, 5), new FetchRequest.PartitionData(topicId, 0, 0, 1 << 20, Optional.empty()))).build(v));
            case LIST_OFFSETS -> List.of(v -> ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
                    .setTargetTimes(List.of(new ListOffsetsRequestData.ListOffsetsTopic().setName(topic).setPartitions(List.of(
                            new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1),
                            new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(9).setTimestamp(-2)))))
                    .build(v));
            case CREATE_TOPICS -> List.of(v -> new CreateTopicsRequest.Builder(new CreateTopicsRequestData().setTimeoutMs(5_000)
                    .setValidateOnly(v >= 1)
                    .setTopics(new CreateTopicsRequestData.CreatableTopicCollection(List.of(
                            new CreateTopicsRequestData.CreatableTopic().setName(topic).setNumPartitions(1).setReplicationFactor((short) 1),
                            new CreateTopicsRequestData.CreatableTopic().setName("bad-config-" + topic).setNumPartitions(1)
                                    .setReplicationFactor((short) 1).setConfigs(new CreateTopicsRequestData.CreatableTopicConfigCollection(
                                            List.of(new CreateTopicsRequestData.CreatableTopicConfig().setName("retention.ms")
                                                    .setValue("soon")).iterator()))).iterator()))).build(v));
            case DELETE_TOPICS -> List.of(v -> new DeleteTopicsRequest.Builder(v >= 6
                    ? new DeleteTopicsRequestData().setTimeoutMs(5_000).setTopics(List.of(
                            new DeleteTopicsRequestData.DeleteTopicState().setName("absent-" + topic),
                            new DeleteTopicsRequestData.DeleteTopicState().setTopicId(Uuid.randomUuid())))
                    : new DeleteTopicsRequestData().setTimeoutMs(5_000).setTopicNames(List.of("absent-" + topic))).build(v));
            case CREATE_PARTITIONS -> List.of(v -> new CreatePartitionsRequest.Builder(new CreatePartitionsRequestData()
                    .setTimeoutMs(5_000).setValidateOnly(true)
                    .setTopics(new CreatePartitionsRequestData.CreatePartitionsTopicCollection(List.of(
                            new CreatePartitionsRequestData.CreatePartitionsTopic().setName(topic).setCount(1),
                            new CreatePartitionsRequestData.CreatePartitionsTopic().setName("absent-" + topic).setCount(3)).iterator())))
                    .build(v));
            case DELETE_RECORDS -> List.of(v -> new DeleteRecordsRequest.Builder(new DeleteRecordsRequestData().setTimeoutMs(5_000)
                    .setTopics(List.of(new DeleteRecordsRequestData.DeleteRecordsTopic().setName(topic).setPartitions(List.of(
                            new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(1_000_000),
                            new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(8).setOffset(0))))))
                    .build(v));
            case DESCRIBE_CONFIGS -> List.of(v -> new DescribeConfigsRequest.Builder(new DescribeConfigsRequestData()
                    .setIncludeSynonyms(v >= 1).setIncludeDocumentation(v >= 3).setResources(List.of(
                            new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2).setResourceName(topic),
                            new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2).setResourceName("absent-" + topic),
                            new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 4).setResourceName("1"),
                            new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 4).setResourceName("77")))).build(v));
            case ALTER_CONFIGS -> List.of(v -> new AlterConfigsRequest.Builder(Map.of(
                    new ConfigResource(ConfigResource.Type.TOPIC, topic),
                    new AlterConfigsRequest.Config(List.of(new AlterConfigsRequest.ConfigEntry("retention.ms", "-7"))),
                    new ConfigResource(ConfigResource.Type.TOPIC, "absent-" + topic), new AlterConfigsRequest.Config(List.of())),
                    true).build(v));
            case INCREMENTAL_ALTER_CONFIGS -> List.of(v -> new IncrementalAlterConfigsRequest.Builder(
                    new IncrementalAlterConfigsRequestData().setValidateOnly(true)
                            .setResources(new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection(List.of(
                                    new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2).setResourceName(topic)
                                            .setConfigs(new IncrementalAlterConfigsRequestData.AlterableConfigCollection(List.of(
                                                    new IncrementalAlterConfigsRequestData.AlterableConfig().setName("no.such.config")
                                                            .setValue("1")).iterator())),
                                    new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 4).setResourceName("77"))
                                    .iterator()))).build(v));
            case DESCRIBE_CLUSTER -> List.of(v -> new DescribeClusterRequest.Builder(new DescribeClusterRequestData()).build(v));
            case INIT_PRODUCER_ID -> List.of(
                    v -> new InitProducerIdRequest.Builder(new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000)
                            .setProducerId(-1).setProducerEpoch((short) -1)).build(v),
                    v -> new InitProducerIdRequest.Builder(new InitProducerIdRequestData().setTransactionalId("txn")
                            .setTransactionTimeoutMs(60_000).setProducerId(-1).setProducerEpoch((short) -1)).build(v));
            case FIND_COORDINATOR -> List.of(v -> findCoordinator(v, (byte) 0, CLASSIC),
                    v -> v == 0 ? null : findCoordinator(v, (byte) 1, "txn"),
                    v -> findCoordinator(v, (byte) 0, ""));
            case JOIN_GROUP -> List.of(v -> new JoinGroupRequest.Builder(new JoinGroupRequestData().setGroupId(CLASSIC)
                    .setMemberId("unknown-member").setProtocolType("consumer").setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000)
                    .setProtocols(new JoinGroupRequestData.JoinGroupRequestProtocolCollection(List.of(
                            new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0])).iterator())))
                    .build(v));
            case SYNC_GROUP -> List.of(v -> new SyncGroupRequest.Builder(new SyncGroupRequestData().setGroupId(CLASSIC)
                    .setMemberId("unknown-member").setGenerationId(1).setProtocolType(v >= 5 ? "consumer" : null)
                    .setProtocolName(v >= 5 ? "range" : null)).build(v));
            case HEARTBEAT -> List.of(v -> new HeartbeatRequest.Builder(new HeartbeatRequestData().setGroupId(CLASSIC)
                    .setMemberId("unknown-member").setGenerationId(1)).build(v));
            case LEAVE_GROUP -> List.of(v -> new LeaveGroupRequest.Builder(ABSENT,
                    List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId("unknown-member"))).build(v));
            case OFFSET_COMMIT -> List.of(
                    v -> OffsetCommitRequest.Builder.forTopicIdsOrNames(offsetCommit(CLASSIC, "unknown-member", 3)).build(v),
                    v -> OffsetCommitRequest.Builder.forTopicIdsOrNames(offsetCommit(ABSENT + "-commit", "", -1)).build(v));
            case OFFSET_FETCH -> List.of(v -> OffsetFetchRequest.Builder.forTopicIdsOrNames(v >= 8
                    ? new OffsetFetchRequestData().setGroups(List.of(
                            new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(CLASSIC).setTopics(List.of(
                                    new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(topic).setTopicId(topicId)
                                            .setPartitionIndexes(List.of(0, 1, 9)))),
                            new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(CONSUMER).setTopics(null),
                            new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(ABSENT).setTopics(null)))
                    : new OffsetFetchRequestData().setGroupId(CLASSIC).setTopics(List.of(
                            new OffsetFetchRequestData.OffsetFetchRequestTopic().setName(topic).setPartitionIndexes(List.of(0, 1, 9)))),
                    false).build(v));
            case OFFSET_DELETE -> List.of(v -> new OffsetDeleteRequest.Builder(new OffsetDeleteRequestData().setGroupId(CLASSIC)
                    .setTopics(new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection(List.of(
                            new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName(topic).setPartitions(List.of(
                                    new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0)))).iterator())))
                    .build(v));
            case LIST_GROUPS -> List.of(v -> new ListGroupsRequest.Builder(new ListGroupsRequestData()
                    .setStatesFilter(v >= 4 ? List.of("Stable", "Empty") : List.of())
                    .setTypesFilter(v >= 5 ? List.of("classic", "consumer") : List.of())).build(v));
            case DESCRIBE_GROUPS -> List.of(v -> new DescribeGroupsRequest.Builder(new DescribeGroupsRequestData()
                    .setGroups(List.of(CLASSIC, CONSUMER, ABSENT)).setIncludeAuthorizedOperations(v >= 3)).build(v));
            case DELETE_GROUPS -> List.of(v -> new DeleteGroupsRequest.Builder(new DeleteGroupsRequestData()
                    .setGroupsNames(List.of(CLASSIC, CONSUMER, ABSENT))).build(v));
            case CONSUMER_GROUP_HEARTBEAT -> List.of(v -> new ConsumerGroupHeartbeatRequest.Builder(new ConsumerGroupHeartbeatRequestData()
                    .setGroupId(CONSUMER).setMemberId(Uuid.randomUuid().toString()).setMemberEpoch(5)
                    .setTopicPartitions(List.of())).build(v));
            case SHARE_GROUP_HEARTBEAT -> List.of(v -> raw(api, v, new org.apache.kafka.common.message.ShareGroupHeartbeatRequestData()
                    .setGroupId("versions-share").setMemberId(Uuid.randomUuid().toString()).setMemberEpoch(0).setSubscribedTopicNames(List.of(topic))),
                    v -> raw(api, v, new org.apache.kafka.common.message.ShareGroupHeartbeatRequestData().setGroupId(CLASSIC)
                            .setMemberId(Uuid.randomUuid().toString()).setMemberEpoch(0).setSubscribedTopicNames(List.of(topic))));
            case SHARE_GROUP_DESCRIBE -> List.of(v -> raw(api, v, new org.apache.kafka.common.message.ShareGroupDescribeRequestData()
                    .setGroupIds(List.of("versions-share", CLASSIC, ABSENT))));
            case SHARE_FETCH -> List.of(v -> raw(api, v, shareFetch(0)), v -> raw(api, v, shareFetch(7)));
            case SHARE_ACKNOWLEDGE -> List.of(v -> raw(api, v, new org.apache.kafka.common.message.ShareAcknowledgeRequestData()
                    .setGroupId("versions-share").setMemberId("versions-fetcher").setShareSessionEpoch(-1)));
            case DESCRIBE_SHARE_GROUP_OFFSETS -> List.of(v -> raw(api, v, new org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData()
                    .setGroups(List.of(new org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup()
                            .setGroupId("versions-share").setTopics(null)))));
            case ALTER_SHARE_GROUP_OFFSETS -> List.of(v -> {
                var data = new org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData().setGroupId("versions-share-alter");
                var t = new org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic().setTopicName(topic);
                t.partitions().add(new org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition()
                        .setPartitionIndex(0).setStartOffset(0));
                data.topics().add(t);
                return raw(api, v, data);
            });
            case DELETE_SHARE_GROUP_OFFSETS -> List.of(v -> raw(api, v, new org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData()
                    .setGroupId(ABSENT).setTopics(List.of(new org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData
                            .DeleteShareGroupOffsetsRequestTopic().setTopicName(topic)))));
            case CONSUMER_GROUP_DESCRIBE -> List.of(v -> new ConsumerGroupDescribeRequest.Builder(new ConsumerGroupDescribeRequestData()
                    .setGroupIds(List.of(CLASSIC, CONSUMER, ABSENT)).setIncludeAuthorizedOperations(true)).build(v));
            case DESCRIBE_ACLS -> List.of(v -> new org.apache.kafka.common.requests.DescribeAclsRequest.Builder(
                    org.apache.kafka.common.acl.AclBindingFilter.ANY).build(v));
            case CREATE_ACLS -> List.of(v -> new org.apache.kafka.common.requests.CreateAclsRequest.Builder(
                    new org.apache.kafka.common.message.CreateAclsRequestData().setCreations(List.of(
                            new org.apache.kafka.common.message.CreateAclsRequestData.AclCreation()
                                    .setResourceType(org.apache.kafka.common.resource.ResourceType.TOPIC.code()).setResourceName(topic)
                                    .setResourcePatternType(org.apache.kafka.common.resource.PatternType.LITERAL.code())
                                    .setPrincipal("User:alice").setHost("*")
                                    .setOperation(org.apache.kafka.common.acl.AclOperation.READ.code())
                                    .setPermissionType(org.apache.kafka.common.acl.AclPermissionType.ALLOW.code())))).build(v));
            case DELETE_ACLS -> List.of(v -> new org.apache.kafka.common.requests.DeleteAclsRequest.Builder(
                    new org.apache.kafka.common.message.DeleteAclsRequestData().setFilters(List.of(
                            new org.apache.kafka.common.message.DeleteAclsRequestData.DeleteAclsFilter()
                                    .setResourceTypeFilter(org.apache.kafka.common.resource.ResourceType.ANY.code())
                                    .setPatternTypeFilter(org.apache.kafka.common.resource.PatternType.ANY.code())
                                    .setOperation(org.apache.kafka.common.acl.AclOperation.ANY.code())
                                    .setPermissionType(org.apache.kafka.common.acl.AclPermissionType.ANY.code())))).build(v));
            case DESCRIBE_LOG_DIRS -> List.of(v -> new org.apache.kafka.common.requests.DescribeLogDirsRequest.Builder(
                    new org.apache.kafka.common.message.DescribeLogDirsRequestData().setTopics(null)).build(v));
            case DESCRIBE_QUORUM -> List.of(v -> new org.apache.kafka.common.requests.DescribeQuorumRequest.Builder(
                    org.apache.kafka.common.requests.DescribeQuorumRequest.singletonRequest(
                            new org.apache.kafka.common.TopicPartition("__cluster_metadata", 0))).build(v));
            case LIST_CONFIG_RESOURCES -> List.of(v -> new org.apache.kafka.common.requests.ListConfigResourcesRequest.Builder(
                    new org.apache.kafka.common.message.ListConfigResourcesRequestData().setResourceTypes(v == 0
                            ? List.of(org.apache.kafka.common.config.ConfigResource.Type.CLIENT_METRICS.id()) : List.of())).build(v));
            case ELECT_LEADERS -> List.of(
                    v -> new org.apache.kafka.common.requests.ElectLeadersRequest.Builder(org.apache.kafka.common.ElectionType.PREFERRED,
                            List.of(new org.apache.kafka.common.TopicPartition("every-version-missing", 0)), 30_000).build(v),
                    v -> new org.apache.kafka.common.requests.ElectLeadersRequest.Builder(org.apache.kafka.common.ElectionType.PREFERRED,
                            null, 30_000).build(v));
            case LIST_PARTITION_REASSIGNMENTS -> List.of(v -> new org.apache.kafka.common.requests.ListPartitionReassignmentsRequest.Builder(
                    new org.apache.kafka.common.message.ListPartitionReassignmentsRequestData()).build(v));
            case ADD_PARTITIONS_TO_TXN -> List.of(v -> raw(api, v, v <= 3
                    ? new org.apache.kafka.common.message.AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId("versions-txn")
                            .setV3AndBelowProducerId(424242).setV3AndBelowProducerEpoch((short) 0)
                            .setV3AndBelowTopics(txnTopics(topic))
                    : new org.apache.kafka.common.message.AddPartitionsToTxnRequestData().setTransactions(
                            new org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection(List.of(
                                    new org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction()
                                            .setTransactionalId("versions-txn").setProducerId(424242).setProducerEpoch((short) 0)
                                            .setVerifyOnly(true).setTopics(txnTopics(topic))).iterator()))));
            case ADD_OFFSETS_TO_TXN -> List.of(v -> raw(api, v, new org.apache.kafka.common.message.AddOffsetsToTxnRequestData()
                    .setTransactionalId("versions-txn").setProducerId(424242).setProducerEpoch((short) 0).setGroupId(CLASSIC)));
            case END_TXN -> List.of(v -> raw(api, v, new org.apache.kafka.common.message.EndTxnRequestData()
                    .setTransactionalId("versions-txn").setProducerId(424242).setProducerEpoch((short) 0).setCommitted(true)));
            case TXN_OFFSET_COMMIT -> List.of(v -> raw(api, v, new org.apache.kafka.common.message.TxnOffsetCommitRequestData()
                    .setTransactionalId("versions-txn").setGroupId(CLASSIC).setProducerId(424242).setProducerEpoch((short) 0)
                    .setTopics(List.of(new org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
                            .setName(topic).setTopicId(topicId).setPartitions(List.of(
                                    new org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                                            .setPartitionIndex(0).setCommittedOffset(1).setCommittedMetadata("m")))))));
            case DESCRIBE_TRANSACTIONS -> List.of(v -> raw(api, v, new org.apache.kafka.common.message.DescribeTransactionsRequestData()
                    .setTransactionalIds(List.of("versions-txn", "txn"))));
            case LIST_TRANSACTIONS -> List.of(v -> raw(api, v, new org.apache.kafka.common.message.ListTransactionsRequestData()
                    .setStateFilters(List.of("Ongoing", "NoSuchState")).setDurationFilter(v >= 1 ? 0 : -1)
                    .setTransactionalIdPattern(v >= 2 ? "versions-.*" : null)),
                    v -> raw(api, v, new org.apache.kafka.common.message.ListTransactionsRequestData()));
            case DESCRIBE_PRODUCERS -> List.of(v -> raw(api, v, new org.apache.kafka.common.message.DescribeProducersRequestData()
                    .setTopics(new org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequestCollection(List.of(
                            new org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest()
                            .setName(topic).setPartitionIndexes(List.of(0, 9))).iterator()))));
            case WRITE_TXN_MARKERS -> List.of(v -> raw(api, v, new org.apache.kafka.common.message.WriteTxnMarkersRequestData()
                    .setMarkers(List.of(new org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker()
                            .setProducerId(424242).setProducerEpoch((short) 0).setTransactionResult(false).setCoordinatorEpoch(0)
                            .setTopics(List.of(new org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic()
                                    .setName(ABSENT).setPartitionIndexes(List.of(0))))))));
            case ALTER_PARTITION_REASSIGNMENTS -> List.of(v -> new org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest.Builder(
                    new org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData().setTopics(List.of(
                            new org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic()
                                    .setName("every-version-missing").setPartitions(List.of(
                                            new org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition()
                                                    .setPartitionIndex(0).setReplicas(List.of(1))))))).build(v));
            default -> List.of();
        };
    }

    private static org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection txnTopics(String name) {
        return new org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection(List.of(
                new org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName(name)
                        .setPartitions(List.of(0))).iterator());
    }

    private static ProduceRequest produce(short version, String topicName, int partition) {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("k".getBytes(), "every-version".getBytes()));
        ProduceRequestData.TopicProduceData data = new ProduceRequestData.TopicProduceData().setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(partition).setRecords(records)));
        if (version >= 13) {
            data.setTopicId(topicName.equals(topic) ? topicId : Uuid.randomUuid());
        } else {
            data.setName(topicName);
        }
        return new ProduceRequest.Builder(version, version, new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5_000)
                .setTopicData(new ProduceRequestData.TopicProduceDataCollection(List.of(data).iterator()))).build(version);
    }

    /** A request at any version its data can be written at, bypassing builders that refuse old versions. */
    /** A ShareFetch of partition 0 by member "versions-fetcher": epoch 0 opens its session, another epoch finds none. */
    private static org.apache.kafka.common.message.ShareFetchRequestData shareFetch(int epoch) {
        var data = new org.apache.kafka.common.message.ShareFetchRequestData().setGroupId("versions-share").setMemberId("versions-fetcher")
                .setShareSessionEpoch(epoch).setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20).setMaxRecords(10).setBatchSize(10);
        var t = new org.apache.kafka.common.message.ShareFetchRequestData.FetchTopic().setTopicId(topicId);
        t.partitions().add(new org.apache.kafka.common.message.ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
        data.topics().add(t);
        return data;
    }

    private static AbstractRequest raw(ApiKeys api, short version, ApiMessage data) {
        return AbstractRequest.parseRequest(api, version, MessageUtil.toByteBufferAccessor(data, version)).request;
    }

    private static FindCoordinatorRequest findCoordinator(short version, byte keyType, String key) {
        FindCoordinatorRequestData data = new FindCoordinatorRequestData().setKeyType(keyType);
        if (version >= 4) {
            data.setCoordinatorKeys(List.of(key));
        } else {
            data.setKey(key);
        }
        return new FindCoordinatorRequest.Builder(data).build(version);
    }

    private static OffsetCommitRequestData offsetCommit(String group, String member, int generation) {
        return new OffsetCommitRequestData().setGroupId(group).setMemberId(member).setGenerationIdOrMemberEpoch(generation)
                .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic).setTopicId(topicId)
                        .setPartitions(List.of(
                        new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(3)
                                .setCommittedMetadata("meta"),
                        new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(9).setCommittedOffset(1)))));
    }
}
