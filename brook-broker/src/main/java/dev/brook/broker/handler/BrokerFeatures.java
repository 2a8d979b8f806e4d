package dev.brook.broker.handler;

import org.apache.kafka.common.message.ApiVersionsResponseData;

/**
 * The features Brook reports in ApiVersions (what Kafka's FeatureCommand and Admin.describeFeatures show, and what
 * clients read to choose protocol generations): each with the version range Brook implements and the level finalized.
 * <ul>
 *   <li>{@code metadata.version} 3.3-IV3 (7) to 4.4-IV2 (33), finalized at 33: the Kafka release whose protocol Brook speaks;</li>
 *   <li>{@code group.version} 0-1, finalized 1: the consumer group protocol (KIP-848) is served;</li>
 *   <li>{@code transaction.version} 0-2, finalized at {@code brook.transaction.version} (2 by default): Kafka 4.x
 *       producers then use transactions v2 (KIP-890), and the first generation below 2;</li>
 *   <li>{@code share.version} 0-2, finalized 2 (share groups with dead letters, KIP-932 and KIP-1191) when
 *       {@code brook.share.enable} is on (the default), else 0;</li>
 *   <li>{@code streams.version}, {@code kraft.version} and {@code eligible.leader.replicas.version} 0 only, not
 *       finalized: streams groups are not built, and Brook has no KRaft quorum or replicas.</li>
 * </ul>
 * Features cannot be changed (UpdateFeatures is not served).
 */
final class BrokerFeatures {
    static final long EPOCH = 1;

    private record Feature(String name, short min, short max, short finalized) {
    }

    private static final Feature[] FEATURES = {
        new Feature("metadata.version", (short) 7, (short) 33, (short) 33),
        new Feature("group.version", (short) 0, (short) 1, (short) 1),
        new Feature("transaction.version", (short) 0, (short) 2, (short) 2),
        new Feature("share.version", (short) 0, (short) 2, (short) 2),
        new Feature("streams.version", (short) 0, (short) 0, (short) 0),
        new Feature("kraft.version", (short) 0, (short) 0, (short) 0),
        new Feature("eligible.leader.replicas.version", (short) 0, (short) 0, (short) 0),
    };

    private BrokerFeatures() {
    }

    /** Adds the supported and finalized features to an ApiVersions response (v3+ carries them). */
    static void describe(ApiVersionsResponseData response, short transactionVersion, boolean shareGroups) {
        for (Feature feature : FEATURES) {
            Feature f = feature.name().equals("transaction.version")
                    ? new Feature(feature.name(), feature.min(), feature.max(), transactionVersion)
                    : feature.name().equals("share.version") && !shareGroups ? new Feature(feature.name(), feature.min(), (short) 0, (short) 0)
                    : feature;
            response.supportedFeatures().add(new ApiVersionsResponseData.SupportedFeatureKey()
                    .setName(f.name()).setMinVersion(f.min()).setMaxVersion(f.max()));
            if (f.finalized() > 0) {
                response.finalizedFeatures().add(new ApiVersionsResponseData.FinalizedFeatureKey()
                        .setName(f.name()).setMinVersionLevel(f.finalized()).setMaxVersionLevel(f.finalized()));
            }
        }
        response.setFinalizedFeaturesEpoch(EPOCH);
    }
}
