package dev.brook.broker.handler;

import dev.brook.broker.BrokerConfig;
import dev.brook.broker.cluster.ClientMetricsSubscriptions;
import dev.brook.broker.cluster.DynamicBrokerConfig;
import dev.brook.broker.cluster.GroupConfigs;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.cluster.TopicConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;

/**
 * How configs look from outside: each topic, broker, group or client-metrics config with its value, its source (topic
 * or group override, this broker's dynamic value, the cluster-wide dynamic default, static broker config, or built-in
 * default) and its synonyms, the way Kafka's DescribeConfigs and CreateTopics v5+ report them.
 */
final class ConfigView {
    static final byte SOURCE_TOPIC = 1;
    static final byte SOURCE_DYNAMIC_BROKER = 2;
    static final byte SOURCE_DYNAMIC_DEFAULT_BROKER = 3;
    static final byte SOURCE_STATIC_BROKER = 4;
    static final byte SOURCE_DEFAULT = 5;
    static final byte SOURCE_CLIENT_METRICS = 7;
    static final byte SOURCE_GROUP = 8;

    private final DynamicBrokerConfig brokerConfig;

    ConfigView(DynamicBrokerConfig brokerConfig) {
        this.brokerConfig = brokerConfig;
    }

    /** One entry per topic config (all, or just {@code keys}), as DescribeConfigs reports it. */
    List<DescribeConfigsResourceResult> topic(Topic topic, List<String> keys, boolean synonyms) {
        BrokerConfig current = brokerConfig.current();
        Map<String, String> described = current.describe();
        Map<String, String> overrides = topic.overrides();
        List<DescribeConfigsResourceResult> out = new ArrayList<>();
        for (String name : keys == null ? TopicConfigs.names() : keys) {
            TopicConfigs.Key key = TopicConfigs.key(name);
            if (key == null) {
                continue;
            }
            String value = TopicConfigs.effective(name, overrides, current.logDefaults());
            String brokerKey = key.brokerSynonym();
            byte brokerSource = brokerSource(brokerKey, described);
            byte source = overrides.containsKey(name) ? SOURCE_TOPIC : brokerSource;
            DescribeConfigsResourceResult r = new DescribeConfigsResourceResult()
                    .setName(name).setValue(value).setReadOnly(false).setIsSensitive(false)
                    .setConfigSource(source).setConfigType(key.type().id);
            if (synonyms) {
                if (overrides.containsKey(name)) {
                    r.synonyms().add(new DescribeConfigsSynonym().setName(name).setValue(overrides.get(name)).setSource(SOURCE_TOPIC));
                }
                String brokerValue = brokerKey == null ? null : described.get(brokerKey);
                if (brokerValue != null) {
                    r.synonyms().add(new DescribeConfigsSynonym().setName(brokerKey).setValue(brokerValue).setSource(brokerSource));
                }
            }
            out.add(r);
        }
        return out;
    }

    /**
     * Group {@code groupId}'s configs (all, or just {@code keys}): each is the group's own dynamic value where it set
     * one, else the broker setting it follows ({@code consumer.session.timeout.ms} from
     * {@code group.consumer.session.timeout.ms}, ...), with both as synonyms, as Kafka reports a group.
     */
    List<DescribeConfigsResourceResult> group(GroupConfigs groupConfigs, String groupId, List<String> keys, boolean synonyms) {
        Map<String, String> own = groupConfigs.overrides(groupId);
        Map<String, String> described = brokerConfig.current().describe();
        List<DescribeConfigsResourceResult> out = new ArrayList<>();
        for (GroupConfigs.Key key : GroupConfigs.keys()) {
            if (keys != null && !keys.contains(key.name())) {
                continue;
            }
            String defaultValue = groupConfigs.defaultValue(key);
            byte defaultSource = brokerSource(key.brokerSynonym(), described);
            String value = own.getOrDefault(key.name(), defaultValue);
            DescribeConfigsResourceResult r = new DescribeConfigsResourceResult()
                    .setName(key.name()).setValue(value).setReadOnly(false).setIsSensitive(false)
                    .setConfigSource(own.containsKey(key.name()) ? SOURCE_GROUP : defaultSource).setConfigType(key.type().id);
            if (synonyms) {
                if (own.containsKey(key.name())) {
                    r.synonyms().add(synonym(key.name(), value, SOURCE_GROUP));
                }
                r.synonyms().add(synonym(key.brokerSynonym() == null ? key.name() : key.brokerSynonym(), defaultValue, defaultSource));
            }
            out.add(r);
        }
        return out;
    }

    /**
     * A client-metrics subscription's configs (all, or just {@code keys}): the ones it sets, with themselves as synonyms,
     * and the defaults of the rest without synonyms, as Kafka reports them (a subscription that does not exist reports
     * the defaults).
     */
    static List<DescribeConfigsResourceResult> clientMetrics(ClientMetricsSubscriptions subscriptions, String name,
                                                            List<String> keys, boolean synonyms) {
        Map<String, String> own = subscriptions.configs(name);
        List<DescribeConfigsResourceResult> out = new ArrayList<>();
        ClientMetricsSubscriptions.DEFAULTS.forEach((config, defaultValue) -> {
            if (keys != null && !keys.contains(config)) {
                return;
            }
            boolean set = own.containsKey(config);
            DescribeConfigsResourceResult r = new DescribeConfigsResourceResult()
                    .setName(config).setValue(set ? own.get(config) : defaultValue).setReadOnly(false).setIsSensitive(false)
                    .setConfigSource(set ? SOURCE_CLIENT_METRICS : SOURCE_DEFAULT)
                    .setConfigType(config.equals(ClientMetricsSubscriptions.INTERVAL_MS) ? TopicConfigs.Type.INT.id : TopicConfigs.Type.LIST.id);
            if (synonyms && set) {
                r.synonyms().add(synonym(config, own.get(config), SOURCE_CLIENT_METRICS));
            }
            out.add(r);
        });
        return out;
    }

    /** The source of a topic or group config's default: the broker setting it follows, where that was set. */
    private byte brokerSource(String brokerKey, Map<String, String> brokerConfigs) {
        if (brokerKey == null || !brokerConfigs.containsKey(brokerKey)) {
            return SOURCE_DEFAULT;
        }
        return sourceId(brokerConfig.source(brokerKey));
    }

    private static byte sourceId(DynamicBrokerConfig.Source source) {
        return switch (source) {
            case DYNAMIC_BROKER -> SOURCE_DYNAMIC_BROKER;
            case DYNAMIC_DEFAULT -> SOURCE_DYNAMIC_DEFAULT_BROKER;
            case STATIC -> SOURCE_STATIC_BROKER;
            case DEFAULT -> SOURCE_DEFAULT;
        };
    }

    /**
     * This broker's configs (all, or just {@code keys}), each with its synonyms in precedence order: this broker's
     * dynamic value, the cluster-wide dynamic default, the static value (where it differs from the default), and the
     * default, as Kafka reports a broker resource named by its node ID.
     */
    List<DescribeConfigsResourceResult> broker(List<String> keys, boolean synonyms) {
        Map<String, String> current = brokerConfig.current().describe();
        Map<String, String> brokerOverrides = brokerConfig.dynamicOverrides(DynamicBrokerConfig.Scope.BROKER);
        Map<String, String> clusterDefaults = brokerConfig.dynamicOverrides(DynamicBrokerConfig.Scope.CLUSTER_DEFAULT);
        List<DescribeConfigsResourceResult> out = new ArrayList<>();
        for (String name : keys == null ? current.keySet() : keys) {
            String value = current.get(name);
            if (value == null) {
                continue;
            }
            DescribeConfigsResourceResult r = entry(name, value, sourceId(brokerConfig.source(name)));
            if (synonyms) {
                if (brokerOverrides.containsKey(name)) {
                    r.synonyms().add(synonym(name, brokerOverrides.get(name), SOURCE_DYNAMIC_BROKER));
                }
                if (clusterDefaults.containsKey(name)) {
                    r.synonyms().add(synonym(name, clusterDefaults.get(name), SOURCE_DYNAMIC_DEFAULT_BROKER));
                }
                if (brokerConfig.staticSource(name) == DynamicBrokerConfig.Source.STATIC) {
                    r.synonyms().add(synonym(name, brokerConfig.staticValue(name), SOURCE_STATIC_BROKER));
                }
                String defaultValue = DynamicBrokerConfig.defaultValue(name);
                if (defaultValue != null) {
                    r.synonyms().add(synonym(name, defaultValue, SOURCE_DEFAULT));
                }
            }
            out.add(r);
        }
        return out;
    }

    /**
     * The cluster-wide dynamic defaults (the broker resource with the empty name): only the configs set at that scope,
     * each with itself as its one synonym, as Kafka reports them.
     */
    List<DescribeConfigsResourceResult> clusterDefaults(List<String> keys, boolean synonyms) {
        List<DescribeConfigsResourceResult> out = new ArrayList<>();
        brokerConfig.dynamicOverrides(DynamicBrokerConfig.Scope.CLUSTER_DEFAULT).forEach((name, value) -> {
            if (keys == null || keys.contains(name)) {
                DescribeConfigsResourceResult r = entry(name, value, SOURCE_DYNAMIC_DEFAULT_BROKER);
                if (synonyms) {
                    r.synonyms().add(synonym(name, value, SOURCE_DYNAMIC_DEFAULT_BROKER));
                }
                out.add(r);
            }
        });
        return out;
    }

    private static DescribeConfigsResourceResult entry(String name, String value, byte source) {
        return new DescribeConfigsResourceResult()
                .setName(name).setValue(value).setIsSensitive(false)
                .setReadOnly(!DynamicBrokerConfig.DYNAMIC_KEYS.contains(name))
                .setConfigSource(source).setConfigType(typeOf(value));
    }

    private static DescribeConfigsSynonym synonym(String name, String value, byte source) {
        return new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source);
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
