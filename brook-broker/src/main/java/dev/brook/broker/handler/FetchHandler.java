package dev.brook.broker.handler;

import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.network.RequestContext;
import dev.brook.log.LogException;
import dev.brook.log.ReadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * Fetch, sessionless: every request names all its partitions, and the response's session ID 0 tells clients
 * that no incremental session was created (they then keep sending full requests).
 *
 * <p>Reads whole batches from each partition's log, at least one batch for the first partition that has
 * data even if larger than the limits (so consumers always progress), then within {@code partition_max_bytes}
 * and {@code max_bytes}. When less than {@code min_bytes} is available the fetch is parked in
 * {@link DelayedFetches}: an append to any of its partitions wakes it to read again, and it answers the
 * moment {@code min_bytes} is reached, or at {@code max_wait_ms} with whatever there is.
 *
 * <p>Isolation: a read_committed fetch ({@code isolation_level} 1) reads only batches below each partition's last
 * stable offset and gets the aborted transactions of what it read, for the consumer to drop; a read_uncommitted one
 * reads to the high watermark. Both are told the last stable offset. A commit or abort marker wakes parked fetches
 * as an append does.
 *
 * <p>Runs on the connection's event loop; a parked fetch's re-reads and its timer run there too.
 */
final class FetchHandler implements ApiHandler<FetchRequest> {
    private final BrokerNode broker;

    FetchHandler(BrokerNode broker) {
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, FetchRequest request) {
        FetchRequestData data = request.data();
        short version = context.apiVersion();
        if (data.sessionId() != 0) {
            return CompletableFuture.completedFuture(new FetchResponseData()
                    .setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()).setSessionId(0));
        }
        Read first = read(data, version);
        if (first.done(data)) {
            return CompletableFuture.completedFuture(first.response);
        }
        ParkedFetch parked = new ParkedFetch(context, data, version, first.partitions);
        return parked.start();
    }

    /** One pass over the requested partitions. */
    private record Read(FetchResponseData response, long bytes, boolean errors, List<TopicPartition> partitions) {
        boolean done(FetchRequestData request) {
            return errors || bytes >= request.minBytes() || request.maxWaitMs() <= 0;
        }
    }

    private Read read(FetchRequestData data, short version) {
        boolean byId = version >= 13;
        FetchResponseData response = new FetchResponseData().setSessionId(0);
        List<TopicPartition> partitions = new ArrayList<>();
        long budget = data.maxBytes() <= 0 ? Integer.MAX_VALUE : data.maxBytes();
        long total = 0;
        boolean errors = false;
        boolean committed = data.isolationLevel() == 1;
        for (FetchRequestData.FetchTopic wanted : data.topics()) {
            Topic topic = byId ? broker.topics().topic(wanted.topicId()) : broker.topics().topic(wanted.topic());
            FetchResponseData.FetchableTopicResponse topicResponse = new FetchResponseData.FetchableTopicResponse()
                    .setTopic(wanted.topic()).setTopicId(wanted.topicId());
            response.responses().add(topicResponse);
            for (FetchRequestData.FetchPartition fp : wanted.partitions()) {
                FetchResponseData.PartitionData pd = new FetchResponseData.PartitionData()
                        .setPartitionIndex(fp.partition())
                        .setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
                        .setRecords(MemoryRecords.EMPTY);
                topicResponse.partitions().add(pd);
                Partition partition = topic == null ? null : topic.partition(fp.partition());
                if (partition == null) {
                    pd.setErrorCode((byId && topic == null ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
                    errors = true;
                    continue;
                }
                partitions.add(partition.topicPartition());
                long hw = partition.highWatermark();
                long lso = partition.lastStableOffset();
                long readable = committed ? lso : hw;
                pd.setHighWatermark(hw).setLastStableOffset(lso).setLogStartOffset(partition.logStartOffset());
                if (committed) {
                    pd.setAbortedTransactions(new ArrayList<>());
                }
                if (fp.fetchOffset() == readable || (committed && fp.fetchOffset() > lso && fp.fetchOffset() <= hw)) {
                    continue;
                }
                long limit = Math.min(fp.partitionMaxBytes() <= 0 ? Integer.MAX_VALUE : fp.partitionMaxBytes(), budget - total);
                if (limit <= 0 && total > 0) {
                    continue;
                }
                try {
                    int max = (int) Math.max(1, Math.min(limit, Integer.MAX_VALUE));
                    ReadResult result = committed ? partition.read(fp.fetchOffset(), max, lso) : partition.read(fp.fetchOffset(), max);
                    int size = result.records().sizeInBytes();
                    if (total > 0 && size > limit) {
                        continue;
                    }
                    pd.setRecords(result.records())
                            .setHighWatermark(result.logEndOffset())
                            .setLastStableOffset(committed ? lso : partition.lastStableOffset())
                            .setLogStartOffset(result.logStartOffset());
                    if (committed && size > 0) {
                        for (dev.brook.log.AbortedTransaction t : partition.abortedTransactions(fp.fetchOffset(), lso)) {
                            pd.abortedTransactions().add(new FetchResponseData.AbortedTransaction()
                                    .setProducerId(t.producerId()).setFirstOffset(t.firstOffset()));
                        }
                    }
                    total += size;
                } catch (LogException e) {
                    pd.setErrorCode(e.error().code());
                    errors = true;
                }
            }
        }
        return new Read(response, total, errors, partitions);
    }

    /**
     * A fetch waiting for data. Lives on its connection's event loop: {@link #wake} may be called from any
     * thread but only schedules a re-read there; completion happens exactly once.
     */
    private final class ParkedFetch implements DelayedFetches.Waiter {
        private final RequestContext context;
        private final FetchRequestData data;
        private final short version;
        private final List<TopicPartition> partitions;
        private final CompletableFuture<ApiMessage> result = new CompletableFuture<>();
        private final java.util.concurrent.atomic.AtomicBoolean recheckScheduled = new java.util.concurrent.atomic.AtomicBoolean();
        private ScheduledFuture<?> timer;
        private boolean completed;

        ParkedFetch(RequestContext context, FetchRequestData data, short version, List<TopicPartition> partitions) {
            this.context = context;
            this.data = data;
            this.version = version;
            this.partitions = partitions;
        }

        CompletableFuture<ApiMessage> start() {
            broker.fetches().park(this, partitions);
            timer = context.eventLoop().schedule(this::expire, data.maxWaitMs(), TimeUnit.MILLISECONDS);
            recheck();
            return result;
        }

        @Override
        public void wake() {
            if (recheckScheduled.compareAndSet(false, true)) {
                context.eventLoop().execute(this::recheck);
            }
        }

        private void recheck() {
            recheckScheduled.set(false);
            if (completed) {
                return;
            }
            Read read = read(data, version);
            if (read.errors || read.bytes >= data.minBytes()) {
                finish(read);
            }
        }

        private void expire() {
            if (!completed) {
                finish(read(data, version));
            }
        }

        private void finish(Read read) {
            completed = true;
            if (timer != null) {
                timer.cancel(false);
            }
            broker.fetches().unpark(this, partitions);
            result.complete(read.response);
        }
    }
}
