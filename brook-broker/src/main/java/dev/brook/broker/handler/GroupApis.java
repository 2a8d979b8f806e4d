package dev.brook.broker.handler;

import dev.brook.broker.group.GroupCoordinator;
import dev.brook.broker.network.RequestContext;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;

/**
 * The group APIs: each is a thin adapter from the request to the {@link GroupCoordinator}, which owns all the
 * logic and runs it on its own thread. Kept together because each adapter is one line of translation.
 */
final class GroupApis {
    private GroupApis() {
    }

    static void register(BrokerDispatcher d, BrokerNode broker, GroupCoordinator groups) {
        d.register(ApiKeys.FIND_COORDINATOR, new FindCoordinatorHandler(broker));
        d.register(ApiKeys.JOIN_GROUP, (RequestContext c, JoinGroupRequest r) ->
                widen(groups.joinGroup(r.data(), c.apiVersion(), c.clientId(), host(c))));
        d.register(ApiKeys.SYNC_GROUP, (RequestContext c, SyncGroupRequest r) -> widen(groups.syncGroup(r.data(), c.apiVersion())));
        d.register(ApiKeys.HEARTBEAT, (RequestContext c, HeartbeatRequest r) ->
                widen(groups.heartbeat(r.data().groupId(), r.data().memberId(), r.data().groupInstanceId(), r.data().generationId())));
        d.register(ApiKeys.LEAVE_GROUP, (RequestContext c, LeaveGroupRequest r) -> widen(groups.leaveGroup(r.data(), c.apiVersion())));
        d.register(ApiKeys.OFFSET_COMMIT, (RequestContext c, OffsetCommitRequest r) -> widen(groups.commitOffsets(r.data(), c.apiVersion())));
        d.register(ApiKeys.OFFSET_FETCH, (RequestContext c, OffsetFetchRequest r) -> widen(groups.fetchOffsets(r.data(), c.apiVersion())));
        d.register(ApiKeys.OFFSET_DELETE, (RequestContext c, OffsetDeleteRequest r) -> widen(groups.deleteOffsets(r.data())));
        d.register(ApiKeys.LIST_GROUPS, (RequestContext c, ListGroupsRequest r) -> widen(groups.listGroups(r.data())));
        d.register(ApiKeys.DESCRIBE_GROUPS, (RequestContext c, DescribeGroupsRequest r) ->
                widen(groups.describeGroups(r.data().groups()).thenApply(resp -> DescribeGroupsVersions.shape(resp, c.apiVersion()))));
        d.register(ApiKeys.DELETE_GROUPS, (RequestContext c, DeleteGroupsRequest r) -> widen(groups.deleteGroups(r.data().groupsNames())));
        d.register(ApiKeys.CONSUMER_GROUP_HEARTBEAT, (RequestContext c, ConsumerGroupHeartbeatRequest r) ->
                widen(groups.consumerGroupHeartbeat(r.data(), c.apiVersion(), c.clientId(), host(c))));
        d.register(ApiKeys.CONSUMER_GROUP_DESCRIBE, (RequestContext c, ConsumerGroupDescribeRequest r) ->
                widen(groups.consumerGroupDescribe(r.data())));
    }

    static CompletableFuture<ApiMessage> widen(CompletableFuture<? extends ApiMessage> f) {
        return f.thenApply(m -> m);
    }

    /** The client's address as Kafka reports it ("/127.0.0.1"). */
    static String host(RequestContext c) {
        return c.remote() instanceof InetSocketAddress a && a.getAddress() != null ? "/" + a.getAddress().getHostAddress()
                : String.valueOf(c.remote());
    }
}
