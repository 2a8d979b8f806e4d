package dev.brook.broker.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * The server-side assignors of KIP-848 groups.
 *
 * <ul>
 *   <li>{@code uniform} (the default): every subscribed partition to exactly one subscribed member, partition
 *       counts as even as subscriptions allow, and partitions stay where they were whenever that keeps the
 *       balance (sticky), so a rebalance moves as little as possible;</li>
 *   <li>{@code range}: per topic, contiguous ranges of partitions to the subscribed members in member-id
 *       order, so members subscribed to co-partitioned topics get the same partition numbers of each.</li>
 * </ul>
 * Pure functions; deterministic for a given input.
 */
final class Assignors {
    static final String UNIFORM = "uniform";
    static final String RANGE = "range";

    private Assignors() {
    }

    static boolean known(String name) {
        return UNIFORM.equals(name) || RANGE.equals(name);
    }

    /**
     * @param subscriptions member ID → the topic IDs it subscribes to
     * @param partitions    topic ID → partition count
     * @param previous      the previous target assignment (for stickiness)
     */
    static Map<String, Map<Uuid, Set<Integer>>> assign(String assignor, Map<String, Set<Uuid>> subscriptions,
                                                       Map<Uuid, Integer> partitions,
                                                       Map<String, Map<Uuid, Set<Integer>>> previous) {
        return RANGE.equals(assignor) ? range(subscriptions, partitions) : uniform(subscriptions, partitions, previous);
    }

    static Map<String, Map<Uuid, Set<Integer>>> range(Map<String, Set<Uuid>> subscriptions, Map<Uuid, Integer> partitions) {
        Map<String, Map<Uuid, Set<Integer>>> result = empty(subscriptions);
        for (Map.Entry<Uuid, Integer> topic : new TreeMap<>(partitions).entrySet()) {
            List<String> members = subscriptions.entrySet().stream().filter(e -> e.getValue().contains(topic.getKey()))
                    .map(Map.Entry::getKey).sorted().toList();
            if (members.isEmpty()) {
                continue;
            }
            int n = topic.getValue();
            int per = n / members.size();
            int extra = n % members.size();
            int next = 0;
            for (int i = 0; i < members.size(); i++) {
                int count = per + (i < extra ? 1 : 0);
                for (int p = next; p < next + count; p++) {
                    result.get(members.get(i)).computeIfAbsent(topic.getKey(), k -> new TreeSet<>()).add(p);
                }
                next += count;
            }
        }
        return result;
    }

    static Map<String, Map<Uuid, Set<Integer>>> uniform(Map<String, Set<Uuid>> subscriptions, Map<Uuid, Integer> partitions,
                                                        Map<String, Map<Uuid, Set<Integer>>> previous) {
        Map<String, Map<Uuid, Set<Integer>>> result = empty(subscriptions);
        Map<String, Integer> counts = new HashMap<>();
        subscriptions.keySet().forEach(m -> counts.put(m, 0));
        Set<Long> taken = new HashSet<>();
        Map<Uuid, Integer> topicIndex = new HashMap<>();
        List<Uuid> topicOrder = new ArrayList<>(new TreeSet<>(partitions.keySet()));
        for (int i = 0; i < topicOrder.size(); i++) {
            topicIndex.put(topicOrder.get(i), i);
        }
        // keep previous ownership where still valid
        for (Map.Entry<String, Map<Uuid, Set<Integer>>> prev : new TreeMap<>(previous).entrySet()) {
            String member = prev.getKey();
            if (!subscriptions.containsKey(member)) {
                continue;
            }
            for (Map.Entry<Uuid, Set<Integer>> tp : prev.getValue().entrySet()) {
                Integer count = partitions.get(tp.getKey());
                if (count == null || !subscriptions.get(member).contains(tp.getKey())) {
                    continue;
                }
                for (int p : tp.getValue()) {
                    long key = key(topicIndex.get(tp.getKey()), p);
                    if (p < count && taken.add(key)) {
                        result.get(member).computeIfAbsent(tp.getKey(), k -> new TreeSet<>()).add(p);
                        counts.merge(member, 1, Integer::sum);
                    }
                }
            }
        }
        // hand out the rest to the least-loaded eligible member
        for (Uuid topic : topicOrder) {
            List<String> eligible = eligible(subscriptions, topic);
            if (eligible.isEmpty()) {
                continue;
            }
            for (int p = 0; p < partitions.get(topic); p++) {
                if (taken.add(key(topicIndex.get(topic), p))) {
                    String least = eligible.stream().min(Comparator.comparing((String m) -> counts.get(m)).thenComparing(m -> m)).orElseThrow();
                    result.get(least).computeIfAbsent(topic, k -> new TreeSet<>()).add(p);
                    counts.merge(least, 1, Integer::sum);
                }
            }
        }
        // even out: move partitions from the most to the least loaded eligible member while they differ by more than one
        boolean moved = true;
        int rounds = 0;
        while (moved && rounds++ < 10_000) {
            moved = false;
            for (Uuid topic : topicOrder) {
                List<String> eligible = eligible(subscriptions, topic);
                if (eligible.size() < 2) {
                    continue;
                }
                String most = eligible.stream().filter(m -> !result.get(m).getOrDefault(topic, Set.of()).isEmpty())
                        .max(Comparator.comparing((String m) -> counts.get(m)).thenComparing(m -> m)).orElse(null);
                String least = eligible.stream().min(Comparator.comparing((String m) -> counts.get(m)).thenComparing(m -> m)).orElseThrow();
                if (most != null && counts.get(most) - counts.get(least) > 1) {
                    Set<Integer> from = result.get(most).get(topic);
                    int p = ((TreeSet<Integer>) from).last();
                    from.remove(p);
                    if (from.isEmpty()) {
                        result.get(most).remove(topic);
                    }
                    result.get(least).computeIfAbsent(topic, k -> new TreeSet<>()).add(p);
                    counts.merge(most, -1, Integer::sum);
                    counts.merge(least, 1, Integer::sum);
                    moved = true;
                }
            }
        }
        return result;
    }

    private static List<String> eligible(Map<String, Set<Uuid>> subscriptions, Uuid topic) {
        return subscriptions.entrySet().stream().filter(e -> e.getValue().contains(topic)).map(Map.Entry::getKey).sorted().toList();
    }

    private static Map<String, Map<Uuid, Set<Integer>>> empty(Map<String, Set<Uuid>> subscriptions) {
        Map<String, Map<Uuid, Set<Integer>>> result = new LinkedHashMap<>();
        subscriptions.keySet().forEach(m -> result.put(m, new TreeMap<>()));
        return result;
    }

    private static long key(int topicIndex, int partition) {
        return ((long) topicIndex << 32) | (partition & 0xffffffffL);
    }
}
