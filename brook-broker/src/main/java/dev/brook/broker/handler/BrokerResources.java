package dev.brook.broker.handler;

import dev.brook.broker.cluster.DynamicBrokerConfig;
import org.apache.kafka.common.errors.InvalidRequestException;

/** Naming rules for BROKER config resources: this broker's node ID, or the empty name for cluster-wide defaults. */
final class BrokerResources {
    private BrokerResources() {
    }

    /**
     * The scope a BROKER resource name stands for.
     *
     * @throws InvalidRequestException when it names another broker
     */
    static DynamicBrokerConfig.Scope scope(String resourceName, int nodeId) {
        if (resourceName == null || resourceName.isEmpty()) {
            return DynamicBrokerConfig.Scope.CLUSTER_DEFAULT;
        }
        if (resourceName.equals(String.valueOf(nodeId))) {
            return DynamicBrokerConfig.Scope.BROKER;
        }
        throw new InvalidRequestException("Broker " + resourceName + " is not this broker (" + nodeId + ")");
    }
}
