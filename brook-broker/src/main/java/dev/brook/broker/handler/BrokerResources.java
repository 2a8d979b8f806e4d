package dev.brook.broker.handler;

/** Naming rules for BROKER config resources: this broker's node ID, or the empty name for cluster defaults. */
final class BrokerResources {
    private BrokerResources() {
    }

    static boolean isThisBroker(String resourceName, int nodeId) {
        return resourceName == null || resourceName.isEmpty() || resourceName.equals(String.valueOf(nodeId));
    }
}
