package dev.brook.broker.handler;

import org.apache.kafka.common.protocol.ApiKeys;

/** The APIs Brook answers, wired to their handlers. */
public final class Apis {
    private Apis() {
    }

    /** A dispatcher answering every API Brook implements, for {@code broker}. */
    public static BrokerDispatcher dispatcher(BrokerNode broker, dev.brook.broker.group.GroupCoordinator groups,
                                              dev.brook.broker.txn.TransactionCoordinator txns) {
        return dispatcher(broker, groups, txns, null);
    }

    /** As above, serving share groups too when {@code shares} is not null. */
    public static BrokerDispatcher dispatcher(BrokerNode broker, dev.brook.broker.group.GroupCoordinator groups,
                                              dev.brook.broker.txn.TransactionCoordinator txns, dev.brook.broker.share.SharePartitions shares) {
        BrokerDispatcher d = new BrokerDispatcher();
        d.register(ApiKeys.API_VERSIONS, new ApiVersionsHandler(d, broker));
        d.register(ApiKeys.METADATA, new MetadataHandler(broker));
        d.register(ApiKeys.PRODUCE, (short) 0, new ProduceHandler(broker, txns));
        d.register(ApiKeys.FETCH, new FetchHandler(broker));
        d.register(ApiKeys.LIST_OFFSETS, new ListOffsetsHandler(broker));
        d.register(ApiKeys.CREATE_TOPICS, new CreateTopicsHandler(broker));
        d.register(ApiKeys.DELETE_TOPICS, new DeleteTopicsHandler(broker));
        d.register(ApiKeys.CREATE_PARTITIONS, new CreatePartitionsHandler(broker));
        d.register(ApiKeys.DELETE_RECORDS, new DeleteRecordsHandler(broker));
        d.register(ApiKeys.DESCRIBE_CONFIGS, new DescribeConfigsHandler(broker));
        d.register(ApiKeys.ALTER_CONFIGS, new AlterConfigsHandler(broker));
        d.register(ApiKeys.INCREMENTAL_ALTER_CONFIGS, new IncrementalAlterConfigsHandler(broker));
        d.register(ApiKeys.DESCRIBE_CLUSTER, new DescribeClusterHandler(broker));
        d.register(ApiKeys.INIT_PRODUCER_ID, new InitProducerIdHandler(broker, txns));
        GroupApis.register(d, broker, groups);
        TransactionApis.register(d, broker, txns, groups);
        if (shares != null) {
            ShareApis.register(d, broker, groups, shares, new dev.brook.broker.share.ShareSessions());
        }
        AclApis.register(d);
        ReplicaApis.register(d, broker);
        d.register(ApiKeys.DESCRIBE_LOG_DIRS, new DescribeLogDirsHandler(broker));
        d.register(ApiKeys.DESCRIBE_QUORUM, new DescribeQuorumHandler(broker));
        d.register(ApiKeys.LIST_CONFIG_RESOURCES, new ListConfigResourcesHandler(broker));
        return d;
    }
}
