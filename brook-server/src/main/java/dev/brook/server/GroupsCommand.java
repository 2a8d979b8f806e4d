package dev.brook.server;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code brook groups list|describe|reset}: consumer groups (and share groups, listed and described) through the Kafka Admin client. */
@Command(name = "groups", mixinStandardHelpOptions = true, description = "List, describe and reset consumer groups.",
        subcommands = {GroupsCommand.ListGroups.class, GroupsCommand.Describe.class, GroupsCommand.Reset.class})
final class GroupsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Groups with their type and state.")
    static final class ListGroups implements Callable<Integer> {
        @Mixin
        ClientOptions client = new ClientOptions();

        @Override
        public Integer call() throws Exception {
            try (Admin admin = Admin.create(client.clientConfig())) {
                List<GroupListing> groups = admin.listGroups().all().get().stream()
                        .sorted((a, b) -> a.groupId().compareTo(b.groupId())).toList();
                BrookCli.out.printf("%-40s %-10s %s%n", "GROUP", "TYPE", "STATE");
                for (GroupListing g : groups) {
                    BrookCli.out.printf("%-40s %-10s %s%n", g.groupId(), g.type().map(Object::toString).orElse("-"),
                            g.groupState().map(Object::toString).orElse("-"));
                }
            }
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Members and, per partition, the owner, committed offset, end offset and lag.")
    static final class Describe implements Callable<Integer> {
        @Mixin
        ClientOptions client = new ClientOptions();
        @Parameters(paramLabel = "GROUP")
        String group;

        @Override
        public Integer call() throws Exception {
            try (Admin admin = Admin.create(client.clientConfig())) {
                boolean share = admin.listGroups().all().get().stream()
                        .anyMatch(g -> g.groupId().equals(group) && g.type().map(t -> t == org.apache.kafka.common.GroupType.SHARE).orElse(false));
                if (share) {
                    describeShareGroup(admin);
                    return 0;
                }
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, String> owner = new HashMap<>();
                for (MemberDescription m : d.members()) {
                    m.assignment().topicPartitions().forEach(tp -> owner.put(tp, m.consumerId()));
                }
                Map<TopicPartition, Long> all = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
                committed.forEach((tp, o) -> all.put(tp, o == null ? null : o.offset()));
                owner.keySet().forEach(tp -> all.putIfAbsent(tp, null));
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                all.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = latest.isEmpty() ? Map.of()
                        : admin.listOffsets(latest).all().get();
                BrookCli.out.printf("Group %s (%s), state %s, %d members%n", group, d.type(), d.groupState(), d.members().size());
                for (MemberDescription m : d.members()) {
                    BrookCli.out.printf("  member %s client %s host %s%s: %d partitions%n", m.consumerId(), m.clientId(), m.host(),
                            m.groupInstanceId().map(i -> " instance " + i).orElse(""), m.assignment().topicPartitions().size());
                }
                BrookCli.out.printf("%-30s %-10s %-12s %-12s %-8s %s%n", "TOPIC", "PARTITION", "COMMITTED", "END", "LAG", "MEMBER");
                for (Map.Entry<TopicPartition, Long> e : all.entrySet()) {
                    TopicPartition tp = e.getKey();
                    ListOffsetsResult.ListOffsetsResultInfo end = ends.get(tp);
                    Long c = e.getValue();
                    String lag = c == null || end == null ? "-" : String.valueOf(Math.max(0, end.offset() - c));
                    BrookCli.out.printf("%-30s %-10d %-12s %-12s %-8s %s%n", tp.topic(), tp.partition(), c == null ? "-" : c,
                            end == null ? "-" : end.offset(), lag, owner.getOrDefault(tp, "-"));
                }
            }
            return 0;
        }

        /** A share group: its members, and per partition the share-partition start offset, the end offset and the lag. */
        private void describeShareGroup(Admin admin) throws Exception {
            org.apache.kafka.clients.admin.ShareGroupDescription d = admin.describeShareGroups(List.of(group)).all().get().get(group);
            Map<TopicPartition, org.apache.kafka.clients.admin.SharePartitionOffsetInfo> offsets = admin.listShareGroupOffsets(
                    Map.of(group, new org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec())).partitionsToOffsetInfo(group).get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            offsets.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = latest.isEmpty() ? Map.of() : admin.listOffsets(latest).all().get();
            BrookCli.out.printf("Group %s (share), state %s, %d members%n", group, d.groupState(), d.members().size());
            for (var m : d.members()) {
                BrookCli.out.printf("  member %s client %s host %s: %d partitions%n", m.consumerId(), m.clientId(), m.host(),
                        m.assignment().topicPartitions().size());
            }
            BrookCli.out.printf("%-30s %-10s %-12s %-12s %s%n", "TOPIC", "PARTITION", "START", "END", "LAG");
            Map<TopicPartition, org.apache.kafka.clients.admin.SharePartitionOffsetInfo> sorted =
                    new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
            sorted.putAll(offsets);
            sorted.forEach((tp, info) -> {
                ListOffsetsResult.ListOffsetsResultInfo end = ends.get(tp);
                BrookCli.out.printf("%-30s %-10d %-12s %-12s %s%n", tp.topic(), tp.partition(), info == null ? "-" : info.startOffset(),
                        end == null ? "-" : end.offset(), info == null ? "-" : info.lag().map(String::valueOf).orElse("-"));
            });
        }
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = "Move a group's committed offsets for a topic; the group must have no active members.")
    static final class Reset implements Callable<Integer> {
        @Mixin
        ClientOptions client = new ClientOptions();
        @Parameters(paramLabel = "GROUP")
        String group;
        @Option(names = "--topic", required = true)
        String topic;
        @Option(names = "--to", required = true, paramLabel = "earliest|latest|DATETIME",
                description = "earliest, latest, or a time such as 2026-11-24T18:00:00Z (local time without a zone).")
        String to;

        @Override
        public Integer call() throws Exception {
            OffsetSpec spec = spec(to);
            try (Admin admin = Admin.create(client.clientConfig())) {
                int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
                Map<TopicPartition, OffsetSpec> wanted = new HashMap<>();
                for (int p = 0; p < partitions; p++) {
                    wanted.put(new TopicPartition(topic, p), spec);
                }
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> found = admin.listOffsets(wanted).all().get();
                Map<TopicPartition, OffsetAndMetadata> target = new TreeMap<>((a, b) -> Integer.compare(a.partition(), b.partition()));
                Map<TopicPartition, OffsetSpec> fallback = new HashMap<>();
                found.forEach((tp, info) -> {
                    if (info.offset() >= 0) {
                        target.put(tp, new OffsetAndMetadata(info.offset()));
                    } else {
                        fallback.put(tp, OffsetSpec.latest()); // no record at or after the time: the end
                    }
                });
                if (!fallback.isEmpty()) {
                    admin.listOffsets(fallback).all().get().forEach((tp, info) -> target.put(tp, new OffsetAndMetadata(info.offset())));
                }
                admin.alterConsumerGroupOffsets(group, target).all().get();
                target.forEach((tp, o) -> BrookCli.out.printf("%s %d -> %d%n", tp.topic(), tp.partition(), o.offset()));
            }
            return 0;
        }

        static OffsetSpec spec(String to) {
            switch (to) {
                case "earliest":
                    return OffsetSpec.earliest();
                case "latest":
                    return OffsetSpec.latest();
                default:
                    return OffsetSpec.forTimestamp(parseTime(to));
            }
        }

        static long parseTime(String text) {
            try {
                return OffsetDateTime.parse(text).toInstant().toEpochMilli();
            } catch (DateTimeParseException notOffset) {
                try {
                    return Instant.parse(text).toEpochMilli();
                } catch (DateTimeParseException notInstant) {
                    try {
                        return LocalDateTime.parse(text).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
                    } catch (DateTimeParseException e) {
                        throw new IllegalArgumentException("--to must be earliest, latest or a date-time like 2026-11-24T18:00:00Z, got '" + text + "'");
                    }
                }
            }
        }
    }
}
