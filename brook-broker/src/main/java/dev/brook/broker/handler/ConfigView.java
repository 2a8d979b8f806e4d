package dev.brook.broker.handler;

import dev.brook.broker.BrokerConfig;
import dev.brook.broker.cluster.DynamicBrokerConfig;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.cluster.TopicConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;

/**
 * How configs look from outside: each topic or broker config with its value, its source (topic override,
 * dynamic broker default, static broker config, or built-in default) and its synonyms, the way Kafka's
 * DescribeConfigs and CreateTopics v5+ report them.
 */
final class ConfigView {
    static final byte SOURCE_TOPIC = 1;
    static final byte SOURCE_DYNAMIC_BROKER = 2;
    static final byte SOURCE_DYNAMIC_DEFAULT_BROKER = 3;
    static final byte SOURCE_STATIC_BROKER = 4;
    static final byte SOURCE_DEFAULT = 5;

    private final DynamicBrokerConfig brokerConfig;

    ConfigView(DynamicBrokerConfig brokerConfig) {
        this.brokerConfig = brokerConfig;
    }

    /** One entry per topic config (all, or just {@code keys}), as DescribeConfigs reports it. */
    List<DescribeConfigsResourceResult> topic(Topic topic, List<String> keys, boolean synonyms) {
        BrokerConfig current = brokerConfig.current();
        Map<String, String> overrides = topic.overrides();
        List<DescribeConfigsResourceResult> out = new ArrayList<>();
        for (String name : keys == null ? TopicConfigs.names() : keys) {
            TopicConfigs.Key key = TopicConfigs.key(name);
            if (key == null) {
                continue;
            }
            String value = TopicConfigs.effective(name, overrides, current.logDefaults());
            String brokerKey = key.brokerSynonym();
            byte brokerSource = brokerSource(brokerKey);
            byte source = overrides.containsKey(name) ? SOURCE_TOPIC : brokerSource;
            DescribeConfigsResourceResult r = new DescribeConfigsResourceResult()
                    .setName(name).setValue(value).setReadOnly(false).setIsSensitive(false)
                    .setConfigSource(source).setConfigType(key.type().id);
            if (synonyms) {
                if (overrides.containsKey(name)) {
                    r.synonyms().add(new DescribeConfigsSynonym().setName(name).setValue(overrides.get(name)).setSource(SOURCE_TOPIC));
                }
                String brokerValue = brokerKey == null ? null : current.describe().get(brokerKey);
                if (brokerValue != null) {
                    r.synonyms().add(new DescribeConfigsSynonym().setName(brokerKey).setValue(brokerValue).setSource(brokerSource));
                }
            }
            out.add(r);
        }
        return out;
    }

    /**
     * A consumer group's configs (all, or just {@code keys}): Brook keeps no per-group overrides yet, so each is the
     * broker setting it follows ({@code consumer.session.timeout.ms} from {@code group.consumer.session.timeout.ms}, ...)
     * with that setting's source, as Kafka reports a group that has no dynamic config.
     */
    List<DescribeConfigsResourceResult> group(List<String> keys, boolean synonyms) {
        Map<String, String> current = brokerConfig.current().describe();
        List<DescribeConfigsResourceResult> out = new ArrayList<>();
        for (Map.Entry<String, String> e : GROUP_CONFIGS.entrySet()) {
            if (keys != null && !keys.contains(e.getKey())) {
                continue;
            }
            String value = current.get(e.getValue());
            byte source = brokerSource(e.getValue());
            DescribeConfigsResourceResult r = new DescribeConfigsResourceResult()
                    .setName(e.getKey()).setValue(value).setReadOnly(false).setIsSensitive(false)
                    .setConfigSource(source).setConfigType(TopicConfigs.Type.INT.id);
            if (synonyms) {
                r.synonyms().add(new DescribeConfigsSynonym().setName(e.getValue()).setValue(value).setSource(source));
            }
            out.add(r);
        }
        return out;
    }

    /** The group configs Brook reports, each with the broker setting it follows. */
    private static final Map<String, String> GROUP_CONFIGS = new java.util.LinkedHashMap<>(Map.of(
            "consumer.session.timeout.ms", "group.consumer.session.timeout.ms",
            "consumer.heartbeat.interval.ms", "group.consumer.heartbeat.interval.ms"));

    /** The source of a topic config's default: the broker setting it follows, where that was set. */
    private byte brokerSource(String brokerKey) {
        if (brokerKey == null || !brokerConfig.current().describe().containsKey(brokerKey)) {
            return SOURCE_DEFAULT;
        }
        return switch (brokerConfig.source(brokerKey)) {
            case DYNAMIC -> SOURCE_DYNAMIC_DEFAULT_BROKER;
            case STATIC -> SOURCE_STATIC_BROKER;
            case DEFAULT -> SOURCE_DEFAULT;
        };
    }

    /** The broker's configs (all, or just {@code keys}). */
    List<DescribeConfigsResourceResult> broker(List<String> keys, boolean synonyms) {
        Map<String, String> current = brokerConfig.current().describe();
        List<DescribeConfigsResourceResult> out = new ArrayList<>();
        for (String name : keys == null ? current.keySet() : keys) {
            String value = current.get(name);
            if (value == null) {
                continue;
            }
            byte source = switch (brokerConfig.source(name)) {
                case DYNAMIC -> SOURCE_DYNAMIC_DEFAULT_BROKER;
                case STATIC -> SOURCE_STATIC_BROKER;
                case DEFAULT -> SOURCE_DEFAULT;
            };
            DescribeConfigsResourceResult r = new DescribeConfigsResourceResult()
                    .setName(name).setValue(value).setIsSensitive(false)
                    .setReadOnly(!DynamicBrokerConfig.DYNAMIC_KEYS.contains(name))
                    .setConfigSource(source).setConfigType(typeOf(value));
            if (synonyms) {
                r.synonyms().add(new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source));
                if (source == SOURCE_DYNAMIC_DEFAULT_BROKER) {
                    r.synonyms().add(new DescribeConfigsSynonym().setName(name)
                            .setValue(brokerConfig.staticValue(name)).setSource(SOURCE_STATIC_BROKER));
                }
            }
            out.add(r);
        }
        return out;
    }

    private static byte typeOf(String value) {
        if (value.equals("true") || value.equals("false")) {
            return TopicConfigs.Type.BOOLEAN.id;
        }
        try {
            Long.parseLong(value);
            return TopicConfigs.Type.LONG.id;
        } catch (NumberFormatException e) {
            return TopicConfigs.Type.STRING.id;
        }
    }
}
