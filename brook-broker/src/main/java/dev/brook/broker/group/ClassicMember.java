package dev.brook.broker.group;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/** A member of a classic group: what it asked for, what it was given, and its parked requests. Coordinator thread only. */
final class ClassicMember {
    /** One protocol a member supports (e.g. "range" with its subscription), in preference order. */
    record Protocol(String name, byte[] metadata) {
        boolean sameAs(Protocol o) {
            return name.equals(o.name) && Arrays.equals(metadata, o.metadata);
        }
    }

    final String memberId;
    final String instanceId;
    final String clientId;
    final String clientHost;
    int sessionTimeoutMs;
    int rebalanceTimeoutMs;
    List<Protocol> protocols;
    byte[] assignment = new byte[0];
    CompletableFuture<JoinGroupResponseData> pendingJoin;
    short joinVersion;
    CompletableFuture<SyncGroupResponseData> pendingSync;
    GroupTimer.Timeout session;

    ClassicMember(String memberId, String instanceId, String clientId, String clientHost, int sessionTimeoutMs,
                  int rebalanceTimeoutMs, List<Protocol> protocols) {
        this.memberId = memberId;
        this.instanceId = instanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.protocols = protocols;
    }

    boolean sameProtocols(List<Protocol> other) {
        if (other.size() != protocols.size()) {
            return false;
        }
        for (int i = 0; i < other.size(); i++) {
            if (!other.get(i).sameAs(protocols.get(i))) {
                return false;
            }
        }
        return true;
    }

    byte[] metadataFor(String protocol) {
        return protocols.stream().filter(p -> p.name().equals(protocol)).map(Protocol::metadata).findFirst().orElse(new byte[0]);
    }
}
