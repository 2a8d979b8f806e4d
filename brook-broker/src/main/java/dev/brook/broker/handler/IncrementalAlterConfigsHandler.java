package dev.brook.broker.handler;

import dev.brook.broker.cluster.Topic;
import dev.brook.broker.cluster.TopicConfigs;
import dev.brook.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * IncrementalAlterConfigs: SET, DELETE (back to the default), APPEND and SUBTRACT (list configs only) on
 * topic configs and on the broker's dynamic configs. Each resource is validated whole and then applied
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
            Map<String, String> next = apply(new LinkedHashMap<>(topic.overrides()), resource, true);
            TopicAlteration.validate(topic.overrides(), next);
            if (!validateOnly) {
                broker.topics().setConfigs(topic.name(), next);
            }
        } else if (type == ConfigResource.Type.BROKER) {
            if (!BrokerResources.isThisBroker(resource.resourceName(), broker.nodeId())) {
                throw new InvalidRequestException("Broker " + resource.resourceName() + " is not this broker (" + broker.nodeId() + ")");
            }
            Map<String, String> next = apply(new LinkedHashMap<>(broker.config().dynamicOverrides()), resource, false);
            broker.config().alter(next, validateOnly);
        } else {
            throw new InvalidRequestException("Brook alters TOPIC and BROKER configs, not " + type);
        }
    }

    private Map<String, String> apply(Map<String, String> current, IncrementalAlterConfigsRequestData.AlterConfigsResource resource,
                                      boolean topic) {
        for (IncrementalAlterConfigsRequestData.AlterableConfig c : resource.configs()) {
            switch (c.configOperation()) {
                case SET -> current.put(c.name(), c.value());
                case DELETE -> current.remove(c.name());
                case APPEND, SUBTRACT -> {
                    TopicConfigs.Key key = topic ? TopicConfigs.key(c.name()) : null;
                    if (key == null || key.type() != TopicConfigs.Type.LIST) {
                        throw new InvalidConfigurationException("Config " + c.name() + " is not a list; APPEND and SUBTRACT need a list config");
                    }
                    String existing = current.getOrDefault(c.name(),
                            TopicConfigs.effective(c.name(), Map.of(), broker.topics().brokerDefaults()));
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
