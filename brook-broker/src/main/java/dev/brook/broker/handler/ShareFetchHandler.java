package dev.brook.broker.handler;

import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.network.RequestContext;
import dev.brook.broker.share.SharePartition;
import dev.brook.broker.share.SharePartitions;
import dev.brook.broker.share.ShareSessions;
import dev.brook.log.LogException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidRecordStateException;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ShareFetchRequest;

/**
 * ShareFetch (KIP-932): applies the acknowledgements the request carries, then acquires records for the member from
 * every partition of its share session. With nothing to acquire it parks in {@link DelayedFetches} on those
 * partitions until {@code max_wait_ms}; an append wakes it, and so do records coming back (a release, an expired
 * lock), which {@link SharePartitions} signals down the same path.
 *
 * <p>Sessions: epoch 0 opens one from the request's partitions (acknowledgements are refused there), a positive epoch
 * adds and forgets partitions, -1 acknowledges, releases what the member still holds there and closes it. A full
 * (epoch 0) response names every partition; an incremental one only those with records, errors or acknowledgements.
 *
 * <p>Runs on the connection's event loop, as do its re-checks and timer.
 */
final class ShareFetchHandler implements ApiHandler<ShareFetchRequest> {
    private final BrokerNode broker;
    private final SharePartitions shares;
    private final ShareSessions sessions;

    ShareFetchHandler(BrokerNode broker, SharePartitions shares, ShareSessions sessions) {
        this.broker = broker;
        this.shares = shares;
        this.sessions = sessions;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ShareFetchRequest request) {
        ShareFetchRequestData data = request.data();
        String group = data.groupId();
        String member = data.memberId();
        if (group == null || group.isEmpty()) {
            return done(topError(Errors.INVALID_REQUEST, "GroupId must be set."));
        }
        if (member == null || member.isEmpty() || member.length() > 36) {
            return done(topError(Errors.INVALID_REQUEST, "MemberId must be set and at most 36 characters."));
        }
        if (data.isRenewAck() && (data.maxBytes() != 0 || data.minBytes() != 0 || data.maxRecords() != 0 || data.maxWaitMs() != 0)) {
            return done(topError(Errors.INVALID_REQUEST, "A renewing ShareFetch must set MaxBytes, MinBytes, MaxRecords and MaxWaitMs to 0."));
        }
        int epoch = data.shareSessionEpoch();
        Map<TopicIdPartition, List<ShareFetchRequestData.AcknowledgementBatch>> acks = new LinkedHashMap<>();
        List<TopicIdPartition> named = new ArrayList<>();
        for (ShareFetchRequestData.FetchTopic t : data.topics()) {
            for (ShareFetchRequestData.FetchPartition p : t.partitions()) {
                TopicIdPartition tip = tip(t.topicId(), p.partitionIndex());
                named.add(tip);
                if (!p.acknowledgementBatches().isEmpty()) {
                    acks.put(tip, p.acknowledgementBatches());
                }
            }
        }
        ShareSessions.Session session;
        boolean full = epoch == 0;
        if (epoch == 0) {
            if (!acks.isEmpty()) {
                return done(topError(Errors.INVALID_REQUEST, "Acknowledgements are not allowed in a request opening a share session."));
            }
            session = sessions.open(group, member);
            if (session == null) {
                return done(topError(Errors.SHARE_SESSION_LIMIT_REACHED, "The broker holds the most share sessions it allows."));
            }
            ShareSessions.Session opened = session;
            if (context.closed() != null) {
                // a session ends with the connection that opened it: what the member holds comes back at once
                context.closed().addListener(f -> {
                    if (sessions.get(group, member) == opened) {
                        sessions.close(opened);
                        shares.releaseAll(group, member, topicPartitions(opened.partitions()));
                    }
                });
            }
        } else {
            session = sessions.get(group, member);
            if (session == null) {
                return done(topError(Errors.SHARE_SESSION_NOT_FOUND, "No share session for member " + member + "."));
            }
            if (epoch != -1 && !session.advance(epoch)) {
                return done(topError(Errors.INVALID_SHARE_SESSION_EPOCH, "The share session epoch " + epoch + " is not the one expected."));
            }
        }
        named.forEach(session::add);
        for (ShareFetchRequestData.ForgottenTopic f : data.forgottenTopicsData()) {
            for (int p : f.partitions()) {
                session.forget(tip(f.topicId(), p));
            }
        }
        ShareFetchResponseData response = new ShareFetchResponseData()
                .setAcquisitionLockTimeoutMs(shares.settings(group).lockDurationMs());
        Map<TopicIdPartition, ShareFetchResponseData.PartitionData> entries = new LinkedHashMap<>();
        List<CompletableFuture<Void>> durable = new ArrayList<>();
        for (Map.Entry<TopicIdPartition, List<ShareFetchRequestData.AcknowledgementBatch>> e : acks.entrySet()) {
            ShareFetchResponseData.PartitionData pd = entry(entries, e.getKey());
            Errors error = acknowledge(group, member, e.getKey(), e.getValue(), data.isRenewAck(), pd, durable);
            pd.setAcknowledgeErrorCode(error.code());
        }
        // the answer waits for the acknowledgements to be on disk: an answered ACCEPT is never delivered again
        CompletableFuture<Void> acknowledged = CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new));
        if (epoch == -1) {
            shares.releaseAll(group, member, topicPartitions(session.partitions()));
            sessions.close(session);
            return acknowledged.thenApply(v -> respond(response, entries));
        }
        if (full) {
            named.forEach(tip -> entry(entries, tip));
        }
        if (data.isRenewAck() || data.maxRecords() <= 0) {
            return acknowledged.thenApply(v -> respond(response, entries));
        }
        ParkedShareFetch parked = new ParkedShareFetch(context, data, group, member, session, response, entries);
        return parked.start().thenCombine(acknowledged, (r, v) -> r);
    }

    /** One share fetch: tries to acquire, and if nothing came and it may wait, parks until woken or timed out. */
    private final class ParkedShareFetch implements DelayedFetches.Waiter {
        private final RequestContext context;
        private final ShareFetchRequestData data;
        private final String group;
        private final String member;
        private final ShareSessions.Session session;
        private final ShareFetchResponseData response;
        private final Map<TopicIdPartition, ShareFetchResponseData.PartitionData> entries;
        private final CompletableFuture<ApiMessage> result = new CompletableFuture<>();
        private final AtomicBoolean recheckScheduled = new AtomicBoolean();
        private List<TopicPartition> parkedOn = List.of();
        private ScheduledFuture<?> timer;
        private boolean completed;

        ParkedShareFetch(RequestContext context, ShareFetchRequestData data, String group, String member, ShareSessions.Session session,
                         ShareFetchResponseData response, Map<TopicIdPartition, ShareFetchResponseData.PartitionData> entries) {
            this.context = context;
            this.data = data;
            this.group = group;
            this.member = member;
            this.session = session;
            this.response = response;
            this.entries = entries;
        }

        CompletableFuture<ApiMessage> start() {
            if (tryAcquire() || data.maxWaitMs() <= 0) {
                finish();
                return result;
            }
            parkedOn = topicPartitions(session.partitions());
            broker.fetches().park(this, parkedOn);
            timer = context.eventLoop().schedule(this::expire, data.maxWaitMs(), TimeUnit.MILLISECONDS);
            recheck(); // anything that came between the first try and parking
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
            if (!completed && tryAcquire()) {
                finish();
            }
        }

        private void expire() {
            if (!completed) {
                finish();
            }
        }

        /** Acquires from every session partition within the request's budgets; true if anything was acquired or failed. */
        private boolean tryAcquire() {
            int recordsLeft = data.maxRecords();
            long bytesLeft = data.maxBytes() <= 0 ? Integer.MAX_VALUE : data.maxBytes();
            boolean any = false;
            boolean recordLimit = data.shareAcquireMode() == 1;
            // start where the last fetch of this session left off, so a busy first partition cannot starve the others
            List<TopicIdPartition> order = new ArrayList<>(session.partitions());
            if (!order.isEmpty()) {
                java.util.Collections.rotate(order, -(session.nextStart() % order.size()));
            }
            for (TopicIdPartition tip : order) {
                if (recordsLeft <= 0 || bytesLeft <= 0) {
                    break;
                }
                Topic topic = broker.topics().topic(tip.topicId());
                Partition partition = topic == null ? null : topic.partition(tip.partition());
                if (partition == null) {
                    entry(entries, tip).setErrorCode((topic == null ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
                    any = true;
                    continue;
                }
                try {
                    SharePartitions.Fetched f = shares.acquire(group, member, partition, recordsLeft, (int) Math.min(bytesLeft, Integer.MAX_VALUE),
                            recordLimit);
                    if (f.acquired().isEmpty()) {
                        continue;
                    }
                    ShareFetchResponseData.PartitionData pd = entry(entries, tip).setRecords(f.records());
                    for (SharePartition.Acquired a : f.acquired()) {
                        pd.acquiredRecords().add(new ShareFetchResponseData.AcquiredRecords().setFirstOffset(a.first())
                                .setLastOffset(a.last()).setDeliveryCount((short) a.deliveryCount()));
                        recordsLeft -= (int) (a.last() - a.first() + 1);
                    }
                    bytesLeft -= f.records().sizeInBytes();
                    any = true;
                } catch (LogException e) {
                    entry(entries, tip).setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
                    any = true;
                }
            }
            return any;
        }

        private void finish() {
            completed = true;
            if (timer != null) {
                timer.cancel(false);
            }
            broker.fetches().unpark(this, parkedOn);
            result.complete(respond(response, entries));
        }
    }

    /** Validates and applies one partition's acknowledgements; the error goes to the partition's acknowledge error. */
    private Errors acknowledge(String group, String member, TopicIdPartition tip, List<ShareFetchRequestData.AcknowledgementBatch> batches,
                               boolean renew, ShareFetchResponseData.PartitionData pd, List<CompletableFuture<Void>> durable) {
        Topic topic = broker.topics().topic(tip.topicId());
        if (topic == null || topic.partition(tip.partition()) == null) {
            pd.setAcknowledgeErrorMessage("Unknown topic or partition.");
            return topic == null ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        List<SharePartition.AckBatch> parsed = new ArrayList<>();
        for (ShareFetchRequestData.AcknowledgementBatch b : batches) {
            parsed.add(new SharePartition.AckBatch(b.firstOffset(), b.lastOffset(), ShareAcknowledgements.types(b.acknowledgeTypes())));
        }
        String invalid = ShareAcknowledgements.validate(parsed, renew);
        if (invalid != null) {
            pd.setAcknowledgeErrorMessage(invalid);
            return Errors.INVALID_REQUEST;
        }
        try {
            durable.add(shares.acknowledge(group, member, new TopicPartition(topic.name(), tip.partition()), parsed));
            return Errors.NONE;
        } catch (InvalidRecordStateException e) {
            pd.setAcknowledgeErrorMessage(e.getMessage());
            return Errors.INVALID_RECORD_STATE;
        }
    }

    private ShareFetchResponseData.PartitionData entry(Map<TopicIdPartition, ShareFetchResponseData.PartitionData> entries, TopicIdPartition tip) {
        return entries.computeIfAbsent(tip, k -> new ShareFetchResponseData.PartitionData().setPartitionIndex(k.partition())
                .setRecords(MemoryRecords.EMPTY)
                .setCurrentLeader(new ShareFetchResponseData.LeaderIdAndEpoch().setLeaderId(broker.nodeId()).setLeaderEpoch(Partition.LEADER_EPOCH)));
    }

    private static ShareFetchResponseData respond(ShareFetchResponseData response, Map<TopicIdPartition, ShareFetchResponseData.PartitionData> entries) {
        Map<org.apache.kafka.common.Uuid, ShareFetchResponseData.ShareFetchableTopicResponse> byTopic = new LinkedHashMap<>();
        entries.forEach((tip, pd) -> byTopic.computeIfAbsent(tip.topicId(), id -> new ShareFetchResponseData.ShareFetchableTopicResponse()
                .setTopicId(id)).partitions().add(pd));
        byTopic.values().forEach(response.responses()::add);
        return response;
    }

    private List<TopicPartition> topicPartitions(Set<TopicIdPartition> partitions) {
        Set<TopicPartition> out = new LinkedHashSet<>();
        for (TopicIdPartition tip : partitions) {
            Topic topic = broker.topics().topic(tip.topicId());
            if (topic != null) {
                out.add(new TopicPartition(topic.name(), tip.partition()));
            }
        }
        return new ArrayList<>(out);
    }

    private static TopicIdPartition tip(org.apache.kafka.common.Uuid topicId, int partition) {
        return new TopicIdPartition(topicId, partition, null);
    }

    private static ShareFetchResponseData topError(Errors error, String message) {
        return new ShareFetchResponseData().setErrorCode(error.code()).setErrorMessage(message);
    }

    private static CompletableFuture<ApiMessage> done(ApiMessage m) {
        return CompletableFuture.completedFuture(m);
    }
}
