package dev.brook.bench.jmh;

import dev.brook.log.Log;
import dev.brook.log.LogConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Serving a fetch from the log: the index lookup for a random offset ({@link #lookup}), and the lookup plus copying
 * up to 1 MiB of batches from the page cache into a direct buffer, as the fetch path does today ({@link #readMiB}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FetchReadBenchmark {
    private Log log;
    private long end;
    private final ByteBuffer target = ByteBuffer.allocateDirect(2 << 20);

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        log = Log.open(Files.createTempDirectory("jmh-fetch").resolve("t-0"), LogConfig.defaults().withSegmentBytes(64 << 20),
                Clock.systemUTC(), false, 0);
        SimpleRecord[] records = new SimpleRecord[16];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, new byte[1024]);
        }
        ByteBuffer batch = MemoryRecords.withRecords(Compression.NONE, records).buffer();
        for (int i = 0; i < 20_000; i++) {
            log.append(MemoryRecords.readableRecords(batch.duplicate()));
        }
        end = log.logEndOffset();
    }

    @Benchmark
    public int lookup() {
        return log.read(ThreadLocalRandom.current().nextLong(end), 1).records().sizeInBytes();
    }

    @Benchmark
    public int readMiB() throws IOException {
        FileRecords slice = (FileRecords) log.read(ThreadLocalRandom.current().nextLong(end - 2000), 1 << 20).records();
        target.clear();
        target.limit(slice.sizeInBytes());
        slice.readInto(target, 0);
        return target.remaining();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        log.delete();
    }
}
