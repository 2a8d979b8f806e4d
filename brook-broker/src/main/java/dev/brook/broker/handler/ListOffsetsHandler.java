package dev.brook.broker.handler;

import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.network.RequestContext;
import dev.brook.log.LogException;
import dev.brook.log.TimestampOffset;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * ListOffsets: the earliest offset, the latest (log end, which is also the last stable offset: Brook has no
 * transactions yet), the record with the largest timestamp, or the first record at or after a timestamp.
 * "Not found" is offset -1 with timestamp -1, as in Kafka.
 */
final class ListOffsetsHandler implements ApiHandler<ListOffsetsRequest> {
    private final BrokerNode broker;

    ListOffsetsHandler(BrokerNode broker) {
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ListOffsetsRequest request) {
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsRequestData.ListOffsetsTopic wanted : request.data().topics()) {
            Topic topic = broker.topics().topic(wanted.name());
            ListOffsetsResponseData.ListOffsetsTopicResponse tr = new ListOffsetsResponseData.ListOffsetsTopicResponse()
                    .setName(wanted.name());
            response.topics().add(tr);
            for (ListOffsetsRequestData.ListOffsetsPartition wp : wanted.partitions()) {
                ListOffsetsResponseData.ListOffsetsPartitionResponse pr = new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                        .setPartitionIndex(wp.partitionIndex()).setOffset(-1).setTimestamp(-1).setLeaderEpoch(-1);
                tr.partitions().add(pr);
                Partition partition = topic == null ? null : topic.partition(wp.partitionIndex());
                if (partition == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                boolean epochs = context.apiVersion() >= 4;
                try {
                    boolean committed = request.data().isolationLevel() == 1;
                    lookup(partition, wp.timestamp(), committed).ifPresent(found -> pr
                            .setOffset(found.offset()).setTimestamp(found.timestamp())
                            .setLeaderEpoch(epochs ? Partition.LEADER_EPOCH : -1));
                } catch (LogException e) {
                    pr.setErrorCode(e.error().code()); // a damaged segment: CORRUPT_MESSAGE for this partition only
                }
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    /** The offset for {@code timestamp}; for a read_committed client, LATEST is the last stable offset and nothing at or past it is found. */
    private static Optional<TimestampOffset> lookup(Partition log, long timestamp, boolean committed) {
        if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
            return Optional.of(new TimestampOffset(-1, committed ? log.lastStableOffset() : log.logEndOffset()));
        }
        if (committed && timestamp != ListOffsetsRequest.EARLIEST_TIMESTAMP && timestamp != ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            long lso = log.lastStableOffset();
            return lookup(log, timestamp, false).filter(found -> found.offset() < lso);
        }
        if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            return Optional.of(new TimestampOffset(-1, log.logStartOffset()));
        }
        if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
            return log.maxTimestampOffset();
        }
        if (timestamp < 0) {
            return Optional.empty();
        }
        return log.offsetForTimestamp(timestamp);
    }
}
