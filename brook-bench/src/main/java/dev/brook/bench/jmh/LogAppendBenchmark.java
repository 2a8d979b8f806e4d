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

/** Appending one producer batch (validate, assign offsets, write to the page cache, index) to a log. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LogAppendBenchmark {
    @Param({"1", "16"})
    int recordsPerBatch;

    private Log log;
    private Path dir;
    private ByteBuffer template;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("jmh-append");
        log = Log.open(dir.resolve("t-0"), LogConfig.defaults().withSegmentBytes(256 << 20), Clock.systemUTC(), false, 0);
        SimpleRecord[] records = new SimpleRecord[recordsPerBatch];
        for (int i = 0; i < recordsPerBatch; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, new byte[1024]);
        }
        template = MemoryRecords.withRecords(Compression.NONE, records).buffer();
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
