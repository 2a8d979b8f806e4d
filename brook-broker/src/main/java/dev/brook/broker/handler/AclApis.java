package dev.brook.broker.handler;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsRequest;
import org.apache.kafka.common.requests.DescribeAclsRequest;

/**
 * DescribeAcls, CreateAcls and DeleteAcls as a Kafka broker without an authorizer answers them: every one with
 * SECURITY_DISABLED, "No Authorizer is configured on the broker" (Kafka 4.4's words), which Kafka's AclCommand and Admin client report as such (a
 * non-retriable error, so nothing spins). The security issue replaces these with a real authorizer.
 */
final class AclApis {
    static final String NO_AUTHORIZER = "No Authorizer is configured on the broker";

    private AclApis() {
    }

    static void register(BrokerDispatcher d) {
        d.register(ApiKeys.DESCRIBE_ACLS, (ApiHandler<DescribeAclsRequest>) (context, request) -> CompletableFuture.completedFuture(
                new DescribeAclsResponseData().setErrorCode(Errors.SECURITY_DISABLED.code()).setErrorMessage(NO_AUTHORIZER)));
        d.register(ApiKeys.CREATE_ACLS, (ApiHandler<CreateAclsRequest>) (context, request) -> {
            CreateAclsResponseData response = new CreateAclsResponseData();
            request.data().creations().forEach(c -> response.results().add(new CreateAclsResponseData.AclCreationResult()
                    .setErrorCode(Errors.SECURITY_DISABLED.code()).setErrorMessage(NO_AUTHORIZER)));
            return CompletableFuture.completedFuture(response);
        });
        d.register(ApiKeys.DELETE_ACLS, (ApiHandler<DeleteAclsRequest>) (context, request) -> {
            DeleteAclsResponseData response = new DeleteAclsResponseData();
            request.data().filters().forEach(f -> response.filterResults().add(new DeleteAclsResponseData.DeleteAclsFilterResult()
                    .setErrorCode(Errors.SECURITY_DISABLED.code()).setErrorMessage(NO_AUTHORIZER)));
            return CompletableFuture.completedFuture(response);
        });
    }
}
