package dev.brook.bench.jmh;

import dev.brook.log.Log;
import dev.brook.log.LogConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * Appending one producer batch (validate every record, assign offsets, write to the page cache, index) to a log:
 * small and 1 KiB records, few and many per batch, uncompressed and lz4 (whose records the log decompresses to
 * check them).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LogAppendBenchmark {
    @Param({"1", "16", "256"})
    int recordsPerBatch;

    @Param({"100", "1024"})
    int valueBytes;

    @Param({"none", "lz4"})
    String codec;

    private Log log;
    private Path dir;
    private ByteBuffer template;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("jmh-append");
        log = Log.open(dir.resolve("t-0"), LogConfig.defaults().withSegmentBytes(256 << 20), Clock.systemUTC(), false, 0);
        SimpleRecord[] records = new SimpleRecord[recordsPerBatch];
        for (int i = 0; i < recordsPerBatch; i++) {
            byte[] value = new byte[valueBytes];
            for (int b = 0; b < value.length; b++) {
                value[b] = (byte) ((i * 31 + b * 7) % 61); // some redundancy, as JSON has: lz4 halves it
            }
            records[i] = new SimpleRecord(System.currentTimeMillis(), ("key-" + i).getBytes(), value);
        }
        template = MemoryRecords.withRecords(Compression.of(codec).build(), records).buffer();
    }

    @Benchmark
    public long append() {
        return log.append(MemoryRecords.readableRecords(template.duplicate())).lastOffset();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        log.delete();
    }
}
