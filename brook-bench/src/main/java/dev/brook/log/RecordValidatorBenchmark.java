package dev.brook.log;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The record walk of {@link RecordValidator} alone, per batch of 256 records, so its cost can be read beside
 * {@code LogAppendBenchmark}'s whole append. In package {@code dev.brook.log} because the validator is package-private
 * there: the benchmark measures the real class, not a copy.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RecordValidatorBenchmark {
    @Param({"none", "lz4", "zstd", "gzip"})
    String codec;

    @Param({"100", "1024"})
    int valueBytes;

    private ByteBuffer buffer;
    private RecordBatch batch;
    private final LogConfig config = LogConfig.defaults();
    private long now;

    @Setup(Level.Trial)
    public void setUp() {
        now = System.currentTimeMillis();
        SimpleRecord[] records = new SimpleRecord[256];
        for (int i = 0; i < records.length; i++) {
            byte[] value = new byte[valueBytes];
            for (int b = 0; b < value.length; b++) {
                value[b] = (byte) ((i * 31 + b * 7) % 61);
            }
            records[i] = new SimpleRecord(now + i, ("key-" + i).getBytes(), value,
                    new Header[] {new RecordHeader("trace", new byte[16])});
        }
        MemoryRecords built = MemoryRecords.withRecords(Compression.of(codec).build(), records);
        buffer = built.buffer();
        batch = built.batches().iterator().next();
    }

    @Benchmark
    public long validate256Records() {
        return RecordValidator.forThisThread().validate(buffer, buffer.position(), batch, config, now);
    }
}
