package dev.brook.broker.group;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.common.Uuid;

/** A member of a KIP-848 consumer group and where it stands in reconciling its assignment. Coordinator thread only. */
final class ConsumerMember {
    final String memberId;
    final String instanceId;
    String rackId;
    String clientId;
    String clientHost;
    int rebalanceTimeoutMs;
    List<String> subscribedTopicNames = List.of();
    String subscribedTopicRegex;
    Pattern pattern;
    int memberEpoch;
    int previousMemberEpoch = -1;
    /** Partitions this member owns as far as the coordinator knows (told to it, not yet released). */
    Map<Uuid, Set<Integer>> assigned = new HashMap<>();
    /** Partitions it has been asked to release and has not yet confirmed releasing. */
    Map<Uuid, Set<Integer>> revoking = new HashMap<>();
    /** For each partition in {@link #assigned}, the member epoch at which it was handed to the member (KIP-1251). */
    Map<Uuid, Map<Integer, Integer>> assignmentEpochs = new HashMap<>();
    /** The assignment last sent; a heartbeat response carries one only when it changes. */
    Map<Uuid, Set<Integer>> lastSent;
    boolean leftTemporarily;
    GroupTimer.Timeout session;
    GroupTimer.Timeout revocationDeadline;

    ConsumerMember(String memberId, String instanceId) {
        this.memberId = memberId;
        this.instanceId = instanceId;
    }
}
