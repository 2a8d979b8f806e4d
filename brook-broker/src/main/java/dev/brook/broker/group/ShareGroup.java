package dev.brook.broker.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A share group's membership (KIP-932): members heartbeat with their subscriptions and are told which partitions
 * to fetch from. Which records each member gets is not decided here but per record, by acquisition locks in the
 * share-partitions ({@code dev.brook.broker.share}), so partitions may be shared and there is no revocation phase:
 * a member whose epoch is behind the group's simply moves to it with its new partitions.
 *
 * <p>Assignment: every member is given every partition of the topics it subscribes to. On one broker that is what
 * spreads work best: each member's fetches compete for the same records, one lock each, so no member idles while
 * another's partition has a backlog. (Kafka's "simple" assignor spreads partitions across members to spread the
 * brokers' fetch load, which one process does not have.)
 *
 * <p>Epochs: the group epoch rises when a member joins or leaves, a subscription changes, or a subscribed topic's
 * partition count changes; members move to it on their next heartbeat. A member that has not heartbeated for the
 * session timeout is removed. Coordinator thread only.
 */
final class ShareGroup extends Group {
    /** The settings a share group's membership follows, from its group configs over the broker's. */
    record Settings(int heartbeatIntervalMs, int sessionTimeoutMs, int maxSize) {
    }

    static final String ASSIGNOR = "simple";
    private static final int LEAVE = -1;

    private final GroupTimer timer;
    private final Supplier<Settings> settings;
    private final TopicMetadata topics;
    final LinkedHashMap<String, ShareMember> members = new LinkedHashMap<>();
    int groupEpoch;
    /** The partition count of each subscribed topic when the group epoch last moved. */
    private Map<String, Integer> subscribedShape = Map.of();

    ShareGroup(String groupId, GroupTimer timer, Supplier<Settings> settings, TopicMetadata topics) {
        super(groupId, timer.nowMs());
        this.timer = timer;
        this.settings = settings;
        this.topics = topics;
    }

    @Override
    boolean isEmpty() {
        return members.isEmpty();
    }

    @Override
    String stateName() {
        return members.isEmpty() ? "Empty" : "Stable";
    }

    @Override
    String type() {
        return "share";
    }

    @Override
    String protocolType() {
        return "share";
    }

    @Override
    boolean subscribedTo(String topic) {
        return members.values().stream().anyMatch(m -> m.subscribedTopicNames.contains(topic));
    }

    /** One ShareGroupHeartbeat; the request's group id has been checked to be this group's. */
    ShareGroupHeartbeatResponseData heartbeat(ShareGroupHeartbeatRequestData req, String clientId, String clientHost) {
        String memberId = req.memberId() == null ? "" : req.memberId();
        int epoch = req.memberEpoch();
        if (memberId.isEmpty() || memberId.length() > 36) {
            return error(Errors.INVALID_REQUEST, "MemberId can't be empty or longer than 36 characters.");
        }
        if (req.rackId() != null && req.rackId().isEmpty()) {
            return error(Errors.INVALID_REQUEST, "RackId can't be empty.");
        }
        if (epoch < LEAVE) {
            return error(Errors.INVALID_REQUEST, "MemberEpoch is invalid.");
        }
        if (epoch == LEAVE) {
            ShareMember gone = members.get(memberId);
            if (gone == null) {
                return error(Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not in group " + groupId + ".");
            }
            remove(gone);
            return new ShareGroupHeartbeatResponseData().setMemberId(memberId).setMemberEpoch(LEAVE)
                    .setHeartbeatIntervalMs(settings.get().heartbeatIntervalMs());
        }
        ShareMember member = members.get(memberId);
        boolean full = false;
        if (epoch == 0) {
            if (req.subscribedTopicNames() == null || req.subscribedTopicNames().isEmpty()) {
                return error(Errors.INVALID_REQUEST, "SubscribedTopicNames must be set in first request.");
            }
            if (member == null) {
                if (members.size() >= settings.get().maxSize()) {
                    return error(Errors.GROUP_MAX_SIZE_REACHED, "The share group has reached its maximum size.");
                }
                member = new ShareMember(memberId);
                members.put(memberId, member);
                emptySinceMs = -1;
                groupEpoch++;
            }
            full = true;
        } else {
            if (member == null) {
                return error(Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not in group " + groupId + ".");
            }
            if (epoch != member.memberEpoch && epoch != member.previousMemberEpoch) {
                return error(Errors.FENCED_MEMBER_EPOCH, "Member epoch " + epoch + " is not the current " + member.memberEpoch + ".");
            }
        }
        member.clientId = clientId;
        member.clientHost = clientHost;
        if (req.rackId() != null) {
            member.rackId = req.rackId();
        }
        if (req.subscribedTopicNames() != null) {
            full = true;
            List<String> subscribed = List.copyOf(new TreeSet<>(req.subscribedTopicNames()));
            if (!subscribed.equals(member.subscribedTopicNames)) {
                member.subscribedTopicNames = subscribed;
                groupEpoch++;
            }
        }
        Map<String, Integer> shape = shape();
        if (!shape.equals(subscribedShape)) {
            subscribedShape = shape;
            groupEpoch++;
        }
        resetSession(member);
        Map<Uuid, Set<Integer>> assignment = assignmentOf(member);
        boolean changed = !assignment.equals(member.assigned);
        if (member.memberEpoch != groupEpoch) {
            member.previousMemberEpoch = member.memberEpoch;
            member.memberEpoch = groupEpoch;
        }
        member.assigned = assignment;
        ShareGroupHeartbeatResponseData response = new ShareGroupHeartbeatResponseData().setMemberId(memberId)
                .setMemberEpoch(member.memberEpoch).setHeartbeatIntervalMs(settings.get().heartbeatIntervalMs());
        if (full || changed) {
            ShareGroupHeartbeatResponseData.Assignment a = new ShareGroupHeartbeatResponseData.Assignment();
            assignment.forEach((id, partitions) -> a.topicPartitions().add(new ShareGroupHeartbeatResponseData.TopicPartitions()
                    .setTopicId(id).setPartitions(new ArrayList<>(partitions))));
            response.setAssignment(a);
        }
        return response;
    }

    ShareGroupDescribeResponseData.DescribedGroup describe() {
        ShareGroupDescribeResponseData.DescribedGroup g = new ShareGroupDescribeResponseData.DescribedGroup()
                .setGroupId(groupId).setGroupState(stateName()).setGroupEpoch(groupEpoch).setAssignmentEpoch(groupEpoch)
                .setAssignorName(ASSIGNOR);
        for (ShareMember m : members.values()) {
            ShareGroupDescribeResponseData.Assignment a = new ShareGroupDescribeResponseData.Assignment();
            m.assigned.forEach((id, partitions) -> {
                TopicMetadata.Info t = topics.byId(id);
                a.topicPartitions().add(new ShareGroupDescribeResponseData.TopicPartitions().setTopicId(id)
                        .setTopicName(t == null ? "" : t.name()).setPartitions(new ArrayList<>(partitions)));
            });
            g.members().add(new ShareGroupDescribeResponseData.Member().setMemberId(m.memberId).setRackId(m.rackId)
                    .setMemberEpoch(m.memberEpoch).setClientId(m.clientId).setClientHost(m.clientHost)
                    .setSubscribedTopicNames(new ArrayList<>(m.subscribedTopicNames)).setAssignment(a));
        }
        return g;
    }

    /** The topics some member subscribes to. */
    Set<String> subscribedTopics() {
        Set<String> all = new TreeSet<>();
        members.values().forEach(m -> all.addAll(m.subscribedTopicNames));
        return all;
    }

    /** Removes every member (DeleteGroups is refused while there are any; this is for a group being dropped). */
    void clearMembers() {
        new ArrayList<>(members.values()).forEach(this::remove);
    }

    private Map<Uuid, Set<Integer>> assignmentOf(ShareMember member) {
        Map<Uuid, Set<Integer>> out = new TreeMap<>();
        for (String name : member.subscribedTopicNames) {
            TopicMetadata.Info t = topics.byName(name);
            if (t != null && t.partitions() > 0) {
                Set<Integer> all = new TreeSet<>();
                for (int p = 0; p < t.partitions(); p++) {
                    all.add(p);
                }
                out.put(t.id(), all);
            }
        }
        return out;
    }

    private Map<String, Integer> shape() {
        Map<String, Integer> out = new HashMap<>();
        for (String name : subscribedTopics()) {
            TopicMetadata.Info t = topics.byName(name);
            out.put(name, t == null ? 0 : t.partitions());
        }
        return out;
    }

    private void resetSession(ShareMember member) {
        if (member.session != null) {
            member.session.cancel();
        }
        member.session = timer.schedule(settings.get().sessionTimeoutMs(), () -> {
            if (members.get(member.memberId) == member) {
                remove(member);
            }
        });
    }

    private void remove(ShareMember member) {
        if (member.session != null) {
            member.session.cancel();
        }
        members.remove(member.memberId);
        groupEpoch++;
        if (members.isEmpty()) {
            emptySinceMs = timer.nowMs();
        }
    }

    private static ShareGroupHeartbeatResponseData error(Errors error, String message) {
        return new ShareGroupHeartbeatResponseData().setErrorCode(error.code()).setErrorMessage(message).setMemberEpoch(LEAVE);
    }
}
