package dev.brook.bench.jmh;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Parsing a Produce request (header and body, records left in place) the way the connection handler does. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RequestDecodeBenchmark {
    private ByteBuffer frame;

    @Setup
    public void setUp() {
        SimpleRecord[] records = new SimpleRecord[16];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(1L, null, new byte[1024]);
        }
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("bench")
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)
                        .setRecords(MemoryRecords.withRecords(Compression.NONE, records))));
        data.topicData().add(topic);
        ProduceRequest request = new ProduceRequest.Builder((short) 12, (short) 12, data).build((short) 12);
        frame = request.serializeWithHeader(new RequestHeader(ApiKeys.PRODUCE, (short) 12, "bench", 7));
    }

    @Benchmark
    public int decodeProduce() {
        ByteBuffer b = frame.duplicate();
        RequestHeader header = RequestHeader.parse(b);
        AbstractRequest r = AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(), new ByteBufferAccessor(b)).request;
        return ((ProduceRequest) r).data().topicData().size();
    }
}
