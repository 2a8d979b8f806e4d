package dev.brook.broker.handler;

import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.network.CloseConnection;
import dev.brook.broker.network.RequestContext;
import dev.brook.broker.txn.TransactionCoordinator;
import dev.brook.log.AppendResult;
import dev.brook.log.LogException;
import dev.brook.log.RecordValidationException;
import dev.brook.log.ThrottledLogger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ProduceRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Produce: appends each partition's batches to its log and answers with the assigned base offsets.
 *
 * <ul>
 *   <li>acks=0: appended, no response at all (the protocol's rule);</li>
 *   <li>acks=1: answered once the batches are written to the log (page cache);</li>
 *   <li>acks=-1 (all): with {@code brook.acks.all.fsync} (the default) answered only once the
 *       {@link dev.brook.log.Flusher} has fsynced the log past the batches. One broker has no replicas, so the
 *       fsync is what makes "all" mean something; the flusher batches many producers' and partitions' waits
 *       into one fsync per log (group commit).</li>
 * </ul>
 * A topic's {@code flush.messages} adds to this: the request whose append leaves that many messages unflushed
 * waits for the fsync too, whatever its acks.
 * A batch the idempotent producer already sent is answered with its original offsets and not written twice.
 * A transactional batch that would open its producer's transaction in a partition is checked against the
 * {@link TransactionCoordinator}'s open transactions under the log's lock ({@link dev.brook.log.TransactionVerifier});
 * from a transactions v2 client (Produce v12+) a partition not yet in the transaction is first added to it (KIP-890).
 * Errors are per partition and never fail the whole request.
 */
final class ProduceHandler implements ApiHandler<ProduceRequest> {
    private static final Logger log = LoggerFactory.getLogger(ProduceHandler.class);
    /** A full or failing disk fails every append: the first in full, then a count per interval. */
    private static final ThrottledLogger FAILURES = new ThrottledLogger(log, Level.ERROR);

    private final BrokerNode broker;
    private final TransactionCoordinator txns;
    private final ProducerOrder order = new ProducerOrder();

    ProduceHandler(BrokerNode broker, TransactionCoordinator txns) {
        this.broker = broker;
        this.txns = txns;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ProduceRequest request) {
        ProduceRequestData data = request.data();
        long producerId = data.transactionalId() == null ? -1 : producerId(data);
        if (producerId < 0) {
            return append(context, request, Map.of());
        }
        // appended in arrival order per producer, though a partition joining the transaction makes one wait; a request
        // that may wait is copied off the network buffer, which is released when this returns
        ImplicitAdd found = context.apiVersion() >= 12 ? implicitAdd(context, data) : null;
        boolean mayWait = found != null || order.busy(producerId);
        if (mayWait) {
            copyRecords(data);
        }
        return order.run(producerId, () -> {
            // what is missing is looked at again only if this waited: the transaction may have changed meanwhile
            ImplicitAdd add = mayWait && context.apiVersion() >= 12 ? implicitAdd(context, data) : found;
            if (add == null) {
                return CompletableFuture.completedFuture(append(context, request, Map.of()));
            }
            return txns.addPartitions(data.transactionalId(), add.producerId, add.epoch, add.partitions, (byte) 2)
                    .thenApply(errors -> append(context, request, errors));
        }).thenCompose(answered -> answered);
    }

    /** Replaces each partition's records, a view of the request's network buffer, by a heap copy. */
    private static void copyRecords(ProduceRequestData data) {
        for (ProduceRequestData.TopicProduceData t : data.topicData()) {
            for (ProduceRequestData.PartitionProduceData p : t.partitionData()) {
                if (p.records() instanceof MemoryRecords memory) {
                    java.nio.ByteBuffer copy = java.nio.ByteBuffer.allocate(memory.sizeInBytes());
                    copy.put(memory.buffer().duplicate()).flip();
                    p.setRecords(MemoryRecords.readableRecords(copy));
                }
            }
        }
    }

    /** The producer id of the request's first batch, or -1. */
    private static long producerId(ProduceRequestData data) {
        for (ProduceRequestData.TopicProduceData t : data.topicData()) {
            for (ProduceRequestData.PartitionProduceData p : t.partitionData()) {
                if (p.records() instanceof MemoryRecords memory && memory.sizeInBytes() > 0) {
                    try {
                        return memory.batches().iterator().next().producerId();
                    } catch (RuntimeException e) {
                        return -1; // malformed: the append reports it
                    }
                }
            }
        }
        return -1;
    }

    /** The partitions of a v2 transactional produce that are not yet in its producer's transaction. */
    private static final class ImplicitAdd {
        long producerId;
        short epoch;
        final List<TopicPartition> partitions = new ArrayList<>();
    }

    private ImplicitAdd implicitAdd(RequestContext context, ProduceRequestData data) {
        boolean byId = context.apiVersion() >= 13;
        ImplicitAdd add = null;
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            Topic topic = byId ? broker.topics().topic(topicData.topicId()) : broker.topics().topic(topicData.name());
            if (topic == null) {
                continue;
            }
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                if (!(partitionData.records() instanceof MemoryRecords memory) || memory.sizeInBytes() == 0) {
                    continue;
                }
                MutableRecordBatch first;
                try {
                    first = memory.batches().iterator().next();
                } catch (RuntimeException e) {
                    continue; // malformed: the append reports it
                }
                TopicPartition tp = new TopicPartition(topic.name(), partitionData.index());
                if (!first.isTransactional() || txns.openTransactions().check(first.producerId(), first.producerEpoch(), tp) == Errors.NONE) {
                    continue;
                }
                if (add == null) {
                    add = new ImplicitAdd();
                    add.producerId = first.producerId();
                    add.epoch = first.producerEpoch();
                }
                add.partitions.add(tp);
            }
        }
        return add;
    }

    private CompletableFuture<ApiMessage> append(RequestContext context, ProduceRequest request, Map<TopicPartition, Errors> addErrors) {
        ProduceRequestData data = request.data();
        short acks = data.acks();
        boolean byId = context.apiVersion() >= 13;
        ProduceResponseData response = new ProduceResponseData();
        List<CompletableFuture<Void>> durable = new ArrayList<>();
        boolean waitForFsync = acks == -1 && broker.config().current().fsyncOnAcksAll();
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            Topic topic = byId ? broker.topics().topic(topicData.topicId()) : broker.topics().topic(topicData.name());
            ProduceResponseData.TopicProduceResponse topicResponse = new ProduceResponseData.TopicProduceResponse()
                    .setName(topicData.name()).setTopicId(topicData.topicId());
            response.responses().add(topicResponse);
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                ProduceResponseData.PartitionProduceResponse pr = new ProduceResponseData.PartitionProduceResponse()
                        .setIndex(partitionData.index()).setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
                topicResponse.partitionResponses().add(pr);
                if (acks != 0 && acks != 1 && acks != -1) {
                    pr.setErrorCode(Errors.INVALID_REQUIRED_ACKS.code());
                    continue;
                }
                Partition partition = topic == null ? null : topic.partition(partitionData.index());
                if (partition == null) {
                    pr.setErrorCode((byId && topic == null ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
                    continue;
                }
                Errors notAdded = addErrors.getOrDefault(partition.topicPartition(), Errors.NONE);
                if (notAdded != Errors.NONE) {
                    log.debug("{} could not join the transaction of {}: {}", partition.topicPartition(), data.transactionalId(), notAdded);
                    pr.setErrorCode((notAdded == Errors.PRODUCER_FENCED ? Errors.INVALID_PRODUCER_EPOCH : notAdded).code())
                            .setErrorMessage("the partition could not join the producer's transaction");
                    continue;
                }
                append(partition, partitionData.records(), pr, waitForFsync, durable);
            }
        }
        if (acks == 0) {
            return failed(response)
                    ? CompletableFuture.failedFuture(new CloseConnection("acks=0 produce failed; closing so the producer notices"))
                    : CompletableFuture.completedFuture(null);
        }
        if (durable.isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        return CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).handle((ok, err) -> response);
    }

    private static boolean failed(ProduceResponseData response) {
        return response.responses().stream().flatMap(t -> t.partitionResponses().stream()).anyMatch(p -> p.errorCode() != 0);
    }

    private void append(Partition partition, BaseRecords records, ProduceResponseData.PartitionProduceResponse pr,
                        boolean waitForFsync, List<CompletableFuture<Void>> durable) {
        if (!(records instanceof MemoryRecords memory) || memory.sizeInBytes() == 0) {
            pr.setErrorCode(Errors.INVALID_RECORD.code()).setErrorMessage("no record batches in the request");
            return;
        }
        try {
            AppendResult result = partition.append(memory, txns.openTransactions().verifier(partition.topicPartition()));
            pr.setBaseOffset(result.firstOffset())
                    .setLogAppendTimeMs(result.logAppendTime())
                    .setLogStartOffset(result.logStartOffset());
            if (partition.fsyncBeforeAnswer(waitForFsync)) {
                durable.add(broker.flusher().flushUpTo(partition.storage(), result.lastOffset() + 1)
                        .exceptionally(e -> {
                            FAILURES.log("fsync failed", "fsync of {} failed; produce answered with KAFKA_STORAGE_ERROR",
                                    partition.topicPartition(), e);
                            pr.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code()).setBaseOffset(-1)
                                    .setErrorMessage("fsync failed: " + e.getMessage());
                            return null;
                        }));
            }
        } catch (LogException e) {
            pr.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
            if (e instanceof RecordValidationException invalid) {
                pr.recordErrors().add(new ProduceResponseData.BatchIndexAndErrorMessage()
                        .setBatchIndex(invalid.recordIndex()).setBatchIndexErrorMessage(invalid.getMessage()));
            }
            if (e.error() == Errors.KAFKA_STORAGE_ERROR) {
                FAILURES.log("append failed", "Append to {} failed", partition.topicPartition(), e);
            } else {
                log.debug("Append to {} refused: {}", partition.topicPartition(), e.getMessage());
            }
        }
    }
}
