package dev.brook.broker.group;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/** A member of a share group: its subscription and the partitions it was last told to fetch from. Coordinator thread only. */
final class ShareMember {
    final String memberId;
    String rackId;
    String clientId = "";
    String clientHost = "";
    List<String> subscribedTopicNames = List.of();
    int memberEpoch;
    int previousMemberEpoch = -1;
    Map<Uuid, Set<Integer>> assigned = Map.of();
    GroupTimer.Timeout session;

    ShareMember(String memberId) {
        this.memberId = memberId;
    }
}
