package dev.brook.broker.handler;

import dev.brook.broker.cluster.ClientMetricsSubscriptions;
import dev.brook.broker.cluster.DynamicBrokerConfig;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.cluster.TopicConfigs;
import dev.brook.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

/**
 * IncrementalAlterConfigs: SET, DELETE (back to the default), APPEND and SUBTRACT (list configs only) on topic configs,
 * the broker's dynamic configs (this broker's own or the cluster-wide defaults), group configs and client-metrics
 * subscriptions. Each resource is validated whole and then applied
 * atomically and durably; {@code validate_only} stops after validation.
 */
final class IncrementalAlterConfigsHandler implements ApiHandler<IncrementalAlterConfigsRequest> {
    private static final byte SET = 0;
    private static final byte DELETE = 1;
    private static final byte APPEND = 2;
    private static final byte SUBTRACT = 3;

    private final BrokerNode broker;

    IncrementalAlterConfigsHandler(BrokerNode broker) {
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, IncrementalAlterConfigsRequest request) {
        IncrementalAlterConfigsRequestData data = request.data();
        IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
            IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse rr = new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            response.responses().add(rr);
            try {
                alter(resource, data.validateOnly());
            } catch (ApiException e) {
                rr.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private void alter(IncrementalAlterConfigsRequestData.AlterConfigsResource resource, boolean validateOnly) {
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        if (type == ConfigResource.Type.TOPIC) {
            Topic topic = broker.topics().topic(resource.resourceName());
            if (topic == null) {
                throw new UnknownTopicOrPartitionException("Topic " + resource.resourceName() + " does not exist");
            }
            Map<String, String> next = apply(new LinkedHashMap<>(topic.overrides()), resource, name -> {
                TopicConfigs.Key key = TopicConfigs.key(name);
                return key == null || key.type() != TopicConfigs.Type.LIST ? null
                        : TopicConfigs.effective(name, Map.of(), broker.topics().brokerDefaults());
            });
            TopicAlteration.validate(topic.overrides(), next);
            if (!validateOnly) {
                broker.topics().setConfigs(topic.name(), next);
            }
        } else if (type == ConfigResource.Type.BROKER) {
            DynamicBrokerConfig.Scope scope = BrokerResources.scope(resource.resourceName(), broker.nodeId());
            Map<String, String> next = apply(new LinkedHashMap<>(broker.config().dynamicOverrides(scope)), resource, name -> null);
            broker.config().alter(scope, next, validateOnly);
        } else if (type == ConfigResource.Type.GROUP) {
            if (resource.resourceName() == null || resource.resourceName().isEmpty()) {
                throw new InvalidRequestException("A group config resource needs the group's name");
            }
            Map<String, String> next = apply(new LinkedHashMap<>(broker.groupConfigs().overrides(resource.resourceName())), resource,
                    name -> null);
            broker.groupConfigs().alter(resource.resourceName(), next, validateOnly);
        } else if (type == ConfigResource.Type.CLIENT_METRICS) {
            Map<String, String> next = apply(new LinkedHashMap<>(broker.clientMetrics().configs(resource.resourceName())), resource,
                    name -> name.equals(ClientMetricsSubscriptions.METRICS) || name.equals(ClientMetricsSubscriptions.MATCH) ? "" : null);
            broker.clientMetrics().alter(resource.resourceName(), next, validateOnly);
        } else {
            throw new InvalidRequestException("Brook alters TOPIC, BROKER, GROUP and CLIENT_METRICS configs, not " + type);
        }
    }

    /**
     * {@code current} with the resource's operations applied; {@code listDefault} gives a list config's value when the
     * resource does not set it, and null for a config that is not a list (APPEND and SUBTRACT refuse it).
     */
    private static Map<String, String> apply(Map<String, String> current, IncrementalAlterConfigsRequestData.AlterConfigsResource resource,
                                             Function<String, String> listDefault) {
        for (IncrementalAlterConfigsRequestData.AlterableConfig c : resource.configs()) {
            switch (c.configOperation()) {
                case SET -> current.put(c.name(), c.value());
                case DELETE -> current.remove(c.name());
                case APPEND, SUBTRACT -> {
                    String fallback = listDefault.apply(c.name());
                    if (fallback == null) {
                        throw new InvalidConfigurationException("Config " + c.name() + " is not a list; APPEND and SUBTRACT need a list config");
                    }
                    String existing = current.getOrDefault(c.name(), fallback);
                    List<String> items = new ArrayList<>(Arrays.stream(existing.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
                    for (String v : c.value() == null ? new String[0] : c.value().split(",")) {
                        String item = v.trim();
                        if (c.configOperation() == APPEND && !items.contains(item)) {
                            items.add(item);
                        } else if (c.configOperation() == SUBTRACT) {
                            items.remove(item);
                        }
                    }
                    current.put(c.name(), String.join(",", items));
                }
                default -> throw new InvalidRequestException("Unknown config operation " + c.configOperation());
            }
        }
        return current;
    }
}
