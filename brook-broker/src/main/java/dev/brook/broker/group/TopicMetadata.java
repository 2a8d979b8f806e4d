package dev.brook.broker.group;

import dev.brook.broker.cluster.Topic;
import dev.brook.broker.cluster.TopicRegistry;
import java.util.Collection;
import org.apache.kafka.common.Uuid;

/** What the coordinator needs to know of topics: names, IDs and partition counts. */
interface TopicMetadata {

    /** One topic's shape. */
    record Info(String name, Uuid id, int partitions) {
    }

    /** The topic, or null. */
    Info byName(String name);

    /** The topic, or null. */
    Info byId(Uuid id);

    Collection<Info> all();

    /** A live view of the broker's topics. */
    static TopicMetadata of(TopicRegistry registry) {
        return new TopicMetadata() {
            @Override
            public Info byName(String name) {
                return info(registry.topic(name));
            }

            @Override
            public Info byId(Uuid id) {
                return info(registry.topic(id));
            }

            @Override
            public Collection<Info> all() {
                return registry.topics().stream().map(TopicMetadata::info).toList();
            }
        };
    }

    private static Info info(Topic t) {
        return t == null ? null : new Info(t.name(), t.id(), t.partitions().size());
    }
}
