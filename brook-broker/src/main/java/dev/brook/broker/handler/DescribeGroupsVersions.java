package dev.brook.broker.handler;

import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * What a DescribeGroups answer looks like at each version. The coordinator describes groups as v6 and later
 * (KIP-848) do: a group that is not classic, or does not exist, comes back with GROUP_ID_NOT_FOUND and a message.
 * Older versions have neither that error nor the message field, and Kafka answers them with a {@code Dead} row and
 * no error, which is what kafka-python, librdkafka (v4) and other clients that list and describe every group
 * expect. Fields a version lacks are cleared too, since the serializer refuses a value it cannot write (that once
 * closed the connection of every client describing a KIP-848 group at v0-5).
 */
final class DescribeGroupsVersions {
    private static final short ERROR_MESSAGE_VERSION = 6;
    private static final short GROUP_INSTANCE_ID_VERSION = 4;

    private DescribeGroupsVersions() {
    }

    static DescribeGroupsResponseData shape(DescribeGroupsResponseData response, short version) {
        if (version >= ERROR_MESSAGE_VERSION) {
            return response;
        }
        for (DescribeGroupsResponseData.DescribedGroup g : response.groups()) {
            if (g.errorCode() == Errors.GROUP_ID_NOT_FOUND.code()) {
                g.setErrorCode(Errors.NONE.code()).setGroupState("Dead").setProtocolType("").setProtocolData("")
                        .members().clear();
            }
            g.setErrorMessage(null);
            if (version < GROUP_INSTANCE_ID_VERSION) {
                g.members().forEach(m -> m.setGroupInstanceId(null));
            }
        }
        return response;
    }
}
