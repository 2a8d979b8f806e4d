package dev.brook.broker.handler;

import dev.brook.broker.BrokerConfigException;
import dev.brook.broker.cluster.TopicConfigs;
import java.util.Map;
import org.apache.kafka.common.errors.InvalidConfigurationException;

/** Validation of a topic's complete set of config overrides, as the alter APIs need it. */
final class TopicAlteration {
    private TopicAlteration() {
    }

    static void validate(Map<String, String> current, Map<String, String> overrides) {
        try {
            TopicConfigs.validateAlteration(current, overrides);
        } catch (BrokerConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
    }
}
