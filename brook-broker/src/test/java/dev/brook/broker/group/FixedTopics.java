package dev.brook.broker.group;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/** Topic metadata held in a map, for tests. */
final class FixedTopics implements TopicMetadata {
    final Map<String, Info> byName = new LinkedHashMap<>();

    FixedTopics add(String name, int partitions) {
        Info existing = byName.get(name);
        byName.put(name, new Info(name, existing == null ? Uuid.randomUuid() : existing.id(), partitions));
        return this;
    }

    Uuid id(String name) {
        return byName.get(name).id();
    }

    @Override
    public Info byName(String name) {
        return byName.get(name);
    }

    @Override
    public Info byId(Uuid id) {
        return byName.values().stream().filter(i -> i.id().equals(id)).findFirst().orElse(null);
    }

    @Override
    public Collection<Info> all() {
        return byName.values();
    }
}
