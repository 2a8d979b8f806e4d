package dev.brook.broker.handler;

import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.network.RequestContext;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;

/**
 * DescribeLogDirs: Brook's one log directory (the data directory), with the size of every disk partition asked for
 * (all, when the request names none) and an offset lag of 0 (no replica is ever behind on a single node), plus the
 * file system's total and usable bytes (v4+). Memory partitions live in no log directory and are not listed, as a
 * partition on no disk is not listed by Kafka. Sizes are read without any lock, as the logs' own getters are.
 */
final class DescribeLogDirsHandler implements ApiHandler<DescribeLogDirsRequest> {
    private final BrokerNode broker;

    DescribeLogDirsHandler(BrokerNode broker) {
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeLogDirsRequest request) {
        Path dataDir = broker.topics().logManager().dataDir().toAbsolutePath();
        DescribeLogDirsResponseData.DescribeLogDirsResult result = new DescribeLogDirsResponseData.DescribeLogDirsResult()
                .setLogDir(dataDir.toString()).setErrorCode(Errors.NONE.code());
        Map<String, List<Integer>> wanted = null;
        if (request.data().topics() != null) {
            wanted = new HashMap<>();
            for (DescribeLogDirsRequestData.DescribableLogDirTopic t : request.data().topics()) {
                wanted.computeIfAbsent(t.topic(), k -> new java.util.ArrayList<>()).addAll(t.partitions());
            }
        }
        for (Topic topic : broker.topics().topics()) {
            if (wanted != null && !wanted.containsKey(topic.name())) {
                continue;
            }
            DescribeLogDirsResponseData.DescribeLogDirsTopic t = new DescribeLogDirsResponseData.DescribeLogDirsTopic().setName(topic.name());
            for (Partition p : topic.partitions()) {
                int index = p.topicPartition().partition();
                if (p.inMemory() || (wanted != null && !wanted.get(topic.name()).contains(index))) {
                    continue;
                }
                t.partitions().add(new DescribeLogDirsResponseData.DescribeLogDirsPartition()
                        .setPartitionIndex(index).setPartitionSize(p.storage().sizeInBytes()).setOffsetLag(0).setIsFutureKey(false));
            }
            if (!t.partitions().isEmpty()) {
                result.topics().add(t);
            }
        }
        try {
            FileStore store = Files.getFileStore(dataDir);
            result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
        } catch (IOException e) {
            result.setTotalBytes(-1).setUsableBytes(-1);
        }
        return CompletableFuture.completedFuture(new DescribeLogDirsResponseData().setResults(List.of(result)));
    }
}
