package dev.brook.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code brook topics create|list|describe|delete}, through the Kafka Admin client. */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Create, list, describe and delete topics.",
        subcommands = {TopicsCommand.Create.class, TopicsCommand.ListTopics.class, TopicsCommand.Describe.class,
                TopicsCommand.Delete.class})
final class TopicsCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ClientOptions client = new ClientOptions();
        @Parameters(paramLabel = "TOPIC")
        String topic;
        @Option(names = {"-p", "--partitions"}, description = "Number of partitions (default: the broker's num.partitions).")
        Integer partitions;
        @Option(names = {"-c", "--config"}, paramLabel = "KEY=VALUE", description = "A topic config, e.g. retention.ms=60000. Repeatable.")
        Map<String, String> configs = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            try (Admin admin = Admin.create(client.clientConfig())) {
                NewTopic t = new NewTopic(topic, java.util.Optional.ofNullable(partitions), java.util.Optional.empty()).configs(configs);
                admin.createTopics(List.of(t)).all().get();
            }
            BrookCli.out.println("Created topic " + topic + ".");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List topics, one per line.")
    static final class ListTopics implements Callable<Integer> {
        @Mixin
        ClientOptions client = new ClientOptions();

        @Override
        public Integer call() throws Exception {
            try (Admin admin = Admin.create(client.clientConfig())) {
                new java.util.TreeSet<>(admin.listTopics().names().get()).forEach(BrookCli.out::println);
            }
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Partitions, topic ID and non-default configs of one topic, or of all.")
    static final class Describe implements Callable<Integer> {
        @Mixin
        ClientOptions client = new ClientOptions();
        @Parameters(paramLabel = "TOPIC", arity = "0..1")
        String topic;

        @Override
        public Integer call() throws Exception {
            try (Admin admin = Admin.create(client.clientConfig())) {
                List<String> names = topic != null ? List.of(topic) : new ArrayList<>(new java.util.TreeSet<>(admin.listTopics().names().get()));
                Map<String, TopicDescription> descriptions = new TreeMap<>(admin.describeTopics(names).allTopicNames().get());
                List<ConfigResource> resources = names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
                Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
                for (TopicDescription d : descriptions.values()) {
                    Config c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, d.name()));
                    List<String> overrides = new ArrayList<>();
                    if (c != null) {
                        for (ConfigEntry e : c.entries()) {
                            if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                                overrides.add(e.name() + "=" + e.value());
                            }
                        }
                    }
                    BrookCli.out.printf("Topic: %s\tTopicId: %s\tPartitionCount: %d\tConfigs: %s%n", d.name(), d.topicId(),
                            d.partitions().size(), String.join(",", overrides));
                    d.partitions().forEach(p -> BrookCli.out.printf("\tPartition: %d\tLeader: %s\tReplicas: %s%n", p.partition(),
                            p.leader() == null ? "none" : p.leader().id(), p.replicas().stream().map(n -> String.valueOf(n.id())).toList()));
                }
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a topic and its data.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ClientOptions client = new ClientOptions();
        @Parameters(paramLabel = "TOPIC")
        String topic;

        @Override
        public Integer call() throws Exception {
            try (Admin admin = Admin.create(client.clientConfig())) {
                admin.deleteTopics(List.of(topic)).all().get();
            }
            BrookCli.out.println("Deleted topic " + topic + ".");
            return 0;
        }
    }

}
