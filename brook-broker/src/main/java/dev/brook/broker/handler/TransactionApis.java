package dev.brook.broker.handler;

import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.group.GroupCoordinator;
import dev.brook.broker.network.RequestContext;
import dev.brook.broker.txn.TransactionCoordinator;
import dev.brook.broker.txn.TransactionState;
import dev.brook.log.AppendResult;
import dev.brook.log.LogException;
import dev.brook.log.ProducerState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.ListTransactionsRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;

/**
 * The transaction APIs: adapters from the requests to the {@link TransactionCoordinator} (and, for offsets committed in
 * a transaction, the {@link GroupCoordinator}), plus the two partition-level ones an operator uses, DescribeProducers
 * and WriteTxnMarkers (Kafka's {@code kafka-transactions.sh describe-producers} and {@code abort}). Versions: all that
 * kafka-clients parses; EndTxn v5+ and TxnOffsetCommit v5+ are the transactions v2 (KIP-890) generation, as is
 * Produce v12+ from a client whose transaction was opened that way.
 */
final class TransactionApis {
    private TransactionApis() {
    }

    static void register(BrokerDispatcher d, BrokerNode broker, TransactionCoordinator txns, GroupCoordinator groups) {
        d.register(ApiKeys.ADD_PARTITIONS_TO_TXN, (RequestContext c, AddPartitionsToTxnRequest r) -> addPartitions(c, r, txns));
        d.register(ApiKeys.ADD_OFFSETS_TO_TXN, (RequestContext c, AddOffsetsToTxnRequest r) -> txns.addPartitions(
                r.data().transactionalId(), r.data().producerId(), r.data().producerEpoch(), List.of(offsetsPartition()), (byte) 1)
                .thenApply(errors -> (ApiMessage) new AddOffsetsToTxnResponseData().setErrorCode(firstError(errors.values()).code())));
        d.register(ApiKeys.END_TXN, (RequestContext c, EndTxnRequest r) -> txns.endTxn(r.data().transactionalId(),
                r.data().producerId(), r.data().producerEpoch(), r.data().committed(), (byte) (c.apiVersion() >= 5 ? 2 : 1))
                .thenApply(res -> (ApiMessage) new EndTxnResponseData().setErrorCode(res.error().code())
                        .setProducerId(res.producerId()).setProducerEpoch(res.epoch())));
        d.register(ApiKeys.TXN_OFFSET_COMMIT, (RequestContext c, TxnOffsetCommitRequest r) -> txnOffsetCommit(c, r.data(), txns, groups));
        d.register(ApiKeys.DESCRIBE_TRANSACTIONS, (RequestContext c, DescribeTransactionsRequest r) ->
                txns.describe(r.data().transactionalIds()).thenApply(TransactionApis::describeResponse));
        d.register(ApiKeys.LIST_TRANSACTIONS, (RequestContext c, ListTransactionsRequest r) -> list(r.data(), txns));
        d.register(ApiKeys.DESCRIBE_PRODUCERS, (RequestContext c, DescribeProducersRequest r) ->
                CompletableFuture.completedFuture(describeProducers(broker, r.data())));
        d.register(ApiKeys.WRITE_TXN_MARKERS, (RequestContext c, WriteTxnMarkersRequest r) -> writeMarkers(broker, groups, r.data()));
    }

    static TopicPartition offsetsPartition() {
        return new TopicPartition(GroupCoordinator.OFFSETS_TOPIC, 0);
    }

    private static Errors firstError(Iterable<Errors> errors) {
        for (Errors e : errors) {
            if (e != Errors.NONE) {
                return e;
            }
        }
        return Errors.NONE;
    }

    private static CompletableFuture<ApiMessage> addPartitions(RequestContext c, AddPartitionsToTxnRequest r, TransactionCoordinator txns) {
        AddPartitionsToTxnRequestData data = r.data();
        if (c.apiVersion() <= 3) {
            List<TopicPartition> partitions = AddPartitionsToTxnRequest.getPartitions(data.v3AndBelowTopics());
            return txns.addPartitions(data.v3AndBelowTransactionalId(), data.v3AndBelowProducerId(), data.v3AndBelowProducerEpoch(),
                    partitions, (byte) 1).thenApply(errors -> (ApiMessage) new AddPartitionsToTxnResponseData()
                    .setResultsByTopicV3AndBelow(AddPartitionsToTxnResponse.resultForTransaction(
                            AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID, errors).topicResults()));
        }
        // v4+: what a partition leader sends for many transactions; verifyOnly asks without adding
        List<CompletableFuture<AddPartitionsToTxnResponseData.AddPartitionsToTxnResult>> results = new ArrayList<>();
        for (AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction t : data.transactions()) {
            List<TopicPartition> partitions = AddPartitionsToTxnRequest.getPartitions(t.topics());
            CompletableFuture<Map<TopicPartition, Errors>> f = t.verifyOnly()
                    ? CompletableFuture.completedFuture(verify(txns, t.producerId(), t.producerEpoch(), partitions))
                    : txns.addPartitions(t.transactionalId(), t.producerId(), t.producerEpoch(), partitions, (byte) 2);
            results.add(f.thenApply(errors -> AddPartitionsToTxnResponse.resultForTransaction(t.transactionalId(), errors)));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            AddPartitionsToTxnResponseData response = new AddPartitionsToTxnResponseData();
            results.forEach(f -> response.resultsByTransaction().add(f.join()));
            return response;
        });
    }

    private static Map<TopicPartition, Errors> verify(TransactionCoordinator txns, long producerId, short epoch, List<TopicPartition> partitions) {
        Map<TopicPartition, Errors> out = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            out.put(tp, txns.openTransactions().check(producerId, epoch, tp));
        }
        return out;
    }

    /**
     * TxnOffsetCommit: the group's offsets partition must be in the producer's open transaction (added by
     * AddOffsetsToTxn, or, from a v5+ request of transactions v2, added here), then the group coordinator keeps the
     * offsets pending until the transaction is decided.
     */
    private static CompletableFuture<ApiMessage> txnOffsetCommit(RequestContext c, TxnOffsetCommitRequestData data,
                                                                 TransactionCoordinator txns, GroupCoordinator groups) {
        TopicPartition offsets = offsetsPartition();
        Errors e = txns.openTransactions().check(data.producerId(), data.producerEpoch(), offsets);
        CompletableFuture<Errors> ready;
        if (e == Errors.INVALID_TXN_STATE && c.apiVersion() >= 5) {
            ready = txns.addPartitions(data.transactionalId(), data.producerId(), data.producerEpoch(), List.of(offsets), (byte) 2)
                    .thenApply(errors -> firstError(errors.values()));
        } else {
            ready = CompletableFuture.completedFuture(e == Errors.INVALID_PRODUCER_EPOCH ? Errors.PRODUCER_FENCED : e);
        }
        return ready.thenCompose(err -> {
            if (err != Errors.NONE) {
                return CompletableFuture.completedFuture(txnOffsetCommitError(data, err));
            }
            return groups.txnOffsetCommit(data, c.apiVersion()).thenApply(r -> (ApiMessage) r);
        });
    }

    private static ApiMessage txnOffsetCommitError(TxnOffsetCommitRequestData data, Errors e) {
        TxnOffsetCommitResponseData response = new TxnOffsetCommitResponseData();
        for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic t : data.topics()) {
            TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic rt = new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic()
                    .setName(t.name()).setTopicId(t.topicId());
            t.partitions().forEach(p -> rt.partitions().add(new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                    .setPartitionIndex(p.partitionIndex()).setErrorCode(e.code())));
            response.topics().add(rt);
        }
        return response;
    }

    private static ApiMessage describeResponse(Map<String, TransactionCoordinator.Description> described) {
        DescribeTransactionsResponseData response = new DescribeTransactionsResponseData();
        described.forEach((id, d) -> {
            DescribeTransactionsResponseData.TransactionState s = new DescribeTransactionsResponseData.TransactionState().setTransactionalId(id);
            if (d == null) {
                response.transactionStates().add(s.setErrorCode(Errors.TRANSACTIONAL_ID_NOT_FOUND.code()).setTransactionState("")
                        .setProducerId(-1).setProducerEpoch((short) -1).setTransactionStartTimeMs(-1));
                return;
            }
            Map<String, DescribeTransactionsResponseData.TopicData> byTopic = new LinkedHashMap<>();
            for (TopicPartition tp : d.partitions()) {
                byTopic.computeIfAbsent(tp.topic(), n -> new DescribeTransactionsResponseData.TopicData().setTopic(n))
                        .partitions().add(tp.partition());
            }
            DescribeTransactionsResponseData.TopicDataCollection topics = new DescribeTransactionsResponseData.TopicDataCollection();
            byTopic.values().forEach(topics::add);
            response.transactionStates().add(s.setTransactionState(d.state().kafkaName()).setTransactionTimeoutMs(d.timeoutMs())
                    .setTransactionStartTimeMs(d.startMs()).setProducerId(d.producerId()).setProducerEpoch(d.epoch()).setTopics(topics));
        });
        return response;
    }

    private static CompletableFuture<ApiMessage> list(ListTransactionsRequestData data, TransactionCoordinator txns) {
        ListTransactionsResponseData response = new ListTransactionsResponseData();
        Set<TransactionState> states = new HashSet<>();
        for (String name : data.stateFilters()) {
            TransactionState s = TransactionState.byKafkaName(name);
            if (s == null) {
                response.unknownStateFilters().add(name);
            } else {
                states.add(s);
            }
        }
        if (!response.unknownStateFilters().isEmpty() && states.isEmpty()) {
            return CompletableFuture.completedFuture(response); // only unknown states: nothing is in them
        }
        Pattern pattern = null;
        if (data.transactionalIdPattern() != null && !data.transactionalIdPattern().isEmpty()) {
            try {
                pattern = Pattern.compile(data.transactionalIdPattern());
            } catch (PatternSyntaxException e) {
                return CompletableFuture.completedFuture(response.setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code()));
            }
        }
        return txns.list(states, new HashSet<>(data.producerIdFilters()), data.durationFilter(), pattern).thenApply(found -> {
            for (TransactionCoordinator.Description d : found) {
                response.transactionStates().add(new ListTransactionsResponseData.TransactionState()
                        .setTransactionalId(d.transactionalId()).setProducerId(d.producerId()).setTransactionState(d.state().kafkaName()));
            }
            return response;
        });
    }

    private static ApiMessage describeProducers(BrokerNode broker, DescribeProducersRequestData data) {
        DescribeProducersResponseData response = new DescribeProducersResponseData();
        for (DescribeProducersRequestData.TopicRequest t : data.topics()) {
            DescribeProducersResponseData.TopicResponse rt = new DescribeProducersResponseData.TopicResponse().setName(t.name());
            Topic topic = broker.topics().topic(t.name());
            for (int index : t.partitionIndexes()) {
                DescribeProducersResponseData.PartitionResponse pr = new DescribeProducersResponseData.PartitionResponse().setPartitionIndex(index);
                Partition p = topic == null ? null : topic.partition(index);
                if (p == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else {
                    for (ProducerState s : p.storage().producerStates()) {
                        pr.activeProducers().add(new DescribeProducersResponseData.ProducerState().setProducerId(s.producerId())
                                .setProducerEpoch(s.epoch()).setLastSequence(s.lastSequence()).setLastTimestamp(s.lastTimestamp())
                                .setCoordinatorEpoch(s.coordinatorEpoch()).setCurrentTxnStartOffset(s.currentTxnStartOffset()));
                    }
                }
                rt.partitions().add(pr);
            }
            response.topics().add(rt);
        }
        return response;
    }

    /**
     * WriteTxnMarkers: writes the named markers (what {@code kafka-transactions.sh abort} sends for a hanging
     * transaction) and answers once they are durable.
     */
    private static CompletableFuture<ApiMessage> writeMarkers(BrokerNode broker, GroupCoordinator groups, WriteTxnMarkersRequestData data) {
        WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
        List<CompletableFuture<Void>> durable = new ArrayList<>();
        for (WriteTxnMarkersRequestData.WritableTxnMarker marker : data.markers()) {
            WriteTxnMarkersResponseData.WritableTxnMarkerResult result = new WriteTxnMarkersResponseData.WritableTxnMarkerResult()
                    .setProducerId(marker.producerId());
            response.markers().add(result);
            for (WriteTxnMarkersRequestData.WritableTxnMarkerTopic t : marker.topics()) {
                WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult rt = new WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult()
                        .setName(t.name());
                result.topics().add(rt);
                Topic topic = broker.topics().topic(t.name());
                for (int index : t.partitionIndexes()) {
                    WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult pr =
                            new WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult().setPartitionIndex(index);
                    rt.partitions().add(pr);
                    if (t.name().equals(GroupCoordinator.OFFSETS_TOPIC)) {
                        durable.add(groups.completeTransaction(marker.producerId(), marker.transactionResult()));
                        continue;
                    }
                    Partition p = topic == null ? null : topic.partition(index);
                    if (p == null) {
                        pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                        continue;
                    }
                    try {
                        AppendResult r = p.appendMarker(marker.producerId(), marker.producerEpoch(), marker.transactionResult(),
                                marker.coordinatorEpoch());
                        if (!p.inMemory()) {
                            durable.add(broker.flusher().flushUpTo(p.storage(), r.lastOffset() + 1).exceptionally(e -> {
                                pr.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
                                return null;
                            }));
                        }
                    } catch (LogException e) {
                        pr.setErrorCode(e.error().code());
                    }
                }
            }
        }
        return CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).handle((ok, err) -> response);
    }
}
