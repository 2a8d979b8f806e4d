package dev.brook.broker.share;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicIdPartition;

/**
 * The share sessions (KIP-932) of this broker, one per group member: the partitions the member fetches from and the
 * epoch its next request must carry. Epoch 0 opens a session (dropping an older one), -1 closes it, any other must
 * be the one expected, which each ShareFetch and ShareAcknowledge then moves on by one (after the largest int, 1).
 *
 * <p>Thread-safe: the map is concurrent and each session is changed under its own monitor.
 */
public final class ShareSessions {
    /** At most this many sessions at once (Kafka's {@code group.share.max.share.sessions}). */
    public static final int MAX_SESSIONS = 2000;

    private record Key(String groupId, String memberId) {
    }

    /** One member's session. */
    public static final class Session {
        public final String groupId;
        public final String memberId;
        private int nextEpoch = 1;
        private final Set<TopicIdPartition> partitions = new LinkedHashSet<>();

        Session(String groupId, String memberId) {
            this.groupId = groupId;
            this.memberId = memberId;
        }

        /** Whether {@code epoch} is the one this session expects; if so, moves it on. */
        public synchronized boolean advance(int epoch) {
            if (epoch != nextEpoch) {
                return false;
            }
            nextEpoch = epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
            return true;
        }

        public synchronized void add(TopicIdPartition tp) {
            partitions.add(tp);
        }

        public synchronized void forget(TopicIdPartition tp) {
            partitions.remove(tp);
        }

        private int fetches;

        /** A counter that moves on at each call: where a fetch starts in the session's partitions. */
        public synchronized int nextStart() {
            return fetches++ & Integer.MAX_VALUE;
        }

        public synchronized Set<TopicIdPartition> partitions() {
            return new LinkedHashSet<>(partitions);
        }
    }

    private final ConcurrentHashMap<Key, Session> sessions = new ConcurrentHashMap<>();

    /** Opens a new session for the member (epoch 0), or null if the broker already holds {@link #MAX_SESSIONS} others. */
    public Session open(String groupId, String memberId) {
        Key key = new Key(groupId, memberId);
        if (!sessions.containsKey(key) && sessions.size() >= MAX_SESSIONS) {
            return null;
        }
        Session s = new Session(groupId, memberId);
        sessions.put(key, s);
        return s;
    }

    /** The member's session, or null. */
    public Session get(String groupId, String memberId) {
        return sessions.get(new Key(groupId, memberId));
    }

    /** Ends the member's session. */
    public void close(Session session) {
        sessions.remove(new Key(session.groupId, session.memberId), session);
    }

    /** Drops every session of a deleted group. */
    public void closeGroup(String groupId) {
        sessions.keySet().removeIf(k -> k.groupId().equals(groupId));
    }
}
