package dev.brook.broker.handler;

import dev.brook.broker.cluster.Partition;
import dev.brook.broker.network.RequestContext;
import dev.brook.log.LogException;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;

/**
 * DeleteRecords: moves a partition's log start offset up to the given offset (-1 means the high watermark);
 * the answer is the new low watermark. Whole segments below it are deleted; the move is durable.
 */
final class DeleteRecordsHandler implements ApiHandler<DeleteRecordsRequest> {
    private final BrokerNode broker;

    DeleteRecordsHandler(BrokerNode broker) {
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DeleteRecordsRequest request) {
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        for (DeleteRecordsRequestData.DeleteRecordsTopic topic : request.data().topics()) {
            DeleteRecordsResponseData.DeleteRecordsTopicResult tr = new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(topic.name());
            response.topics().add(tr);
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : topic.partitions()) {
                DeleteRecordsResponseData.DeleteRecordsPartitionResult pr = new DeleteRecordsResponseData.DeleteRecordsPartitionResult()
                        .setPartitionIndex(p.partitionIndex()).setLowWatermark(-1);
                tr.partitions().add(pr);
                Partition partition = broker.topics().partition(new TopicPartition(topic.name(), p.partitionIndex()));
                if (partition == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                long offset = p.offset() == -1 ? partition.highWatermark() : p.offset();
                if (offset < 0) {
                    pr.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
                    continue;
                }
                try {
                    pr.setLowWatermark(partition.deleteRecordsBefore(offset));
                } catch (LogException e) {
                    pr.setErrorCode(e.error().code());
                }
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
