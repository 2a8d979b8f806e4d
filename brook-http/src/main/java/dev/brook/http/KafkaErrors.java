package dev.brook.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * How a Kafka error reads over HTTP, as the REST Proxy v3 reports it: an unknown topic or partition is 404 with
 * {@code error_code} 40403; a request Kafka refuses (topic exists, invalid config, partitions, replication factor) is
 * 400 with 40002; a retriable Kafka error is 500 with 50003; any other 500 with 50002.
 */
final class KafkaErrors {
    private KafkaErrors() {
    }

    /** The error under the wrappers futures put around it. */
    static Throwable cause(Throwable error) {
        Throwable e = error;
        while ((e instanceof ExecutionException || e instanceof java.util.concurrent.CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    static HttpError toHttp(Throwable error) {
        Throwable e = cause(error);
        if (e instanceof HttpError h) {
            return h;
        }
        if (e instanceof UnknownTopicOrPartitionException) {
            return HttpError.notFound(40403, "This server does not host this topic-partition.");
        }
        if (e instanceof TopicExistsException || e instanceof InvalidConfigurationException || e instanceof InvalidPartitionsException
                || e instanceof InvalidReplicationFactorException || e instanceof InvalidTopicException
                || e instanceof PolicyViolationException || e instanceof InvalidRequestException) {
            return new HttpError(HttpResponseStatus.BAD_REQUEST, 40002, e.getMessage());
        }
        if (e instanceof RetriableException) {
            return new HttpError(HttpResponseStatus.INTERNAL_SERVER_ERROR, 50003, e.getMessage());
        }
        if (e instanceof ApiException) {
            return new HttpError(HttpResponseStatus.INTERNAL_SERVER_ERROR, 50002, e.getMessage());
        }
        return new HttpError(HttpResponseStatus.INTERNAL_SERVER_ERROR, 500, "Internal Server Error: " + e);
    }
}
