package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A protocol fuzzer against a real broker process while a real Java producer and consumer use it: thousands of
 * real requests (Produce with records, Fetch, Metadata, ListOffsets, JoinGroup, OffsetCommit, FindCoordinator,
 * ApiVersions; not CreateTopics, whose mutations create topics of up to 2^31-1 partitions, as they would on Kafka) mutated by bit flips, overwritten length and count fields (0, -1, 2^31-1, random),
 * truncation and appended garbage, sent as fast as the broker takes them. The broker must not crash or hang, its
 * memory must stay bounded, its log must not flood (the first of each kind of bad input in full, then counts), and
 * the clients must not notice: every record the producer sent is acknowledged and read back in order.
 *
 * <p>Seeded ({@code -Dbrook.fuzz.seed=N} replays a run); {@code -Dbrook.fuzz.frames=N} sends more (the build sends
 * 10,000; the hardening issue's run sent 50,000).
 */
@Timeout(300)
class ProtocolFuzzTest {
    private static final int FRAMES = Integer.getInteger("brook.fuzz.frames", 10_000);

    @TempDir
    Path dataDir;

    @Test
    void mutatedRequestsNeitherCrashNorHangTheBrokerNorDisturbARealClient() throws Exception {
        long seed = Long.getLong("brook.fuzz.seed", System.nanoTime());
        System.out.printf("protocol fuzz: seed %d (replay with -Dbrook.fuzz.seed=%d), %d frames%n", seed, seed, FRAMES);
        int port = BrookProcess.freePort();
        String bootstrap = "127.0.0.1:" + port;
        try (BrookProcess broker = BrookProcess.start(port, dataDir, Duration.ofSeconds(60))) {
            String topic = "fuzz-" + AdminClientTest.uniqueTopic();
            try (Admin admin = Clients.admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            List<byte[]> seeds = realRequests(topic);
            long rssBefore = rssKiB(broker.pid());

            AtomicLong sent = new AtomicLong();
            AtomicReference<Throwable> clientFailure = new AtomicReference<>();
            List<String> produced = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread client = new Thread(() -> produceWhileFuzzing(bootstrap, topic, produced, sent, clientFailure), "fuzz-bystander");
            client.start();

            Random random = new Random(seed);
            int connections = 0;
            int closedByBroker = 0;
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            FuzzConnection connection = null;
            int framesLeft = 0;
            for (int i = 0; i < FRAMES; i++) {
                if (connection != null && connection.closed()) {
                    closedByBroker++;
                    connection.close();
                    connection = null;
                }
                if (connection != null && framesLeft-- <= 0) {
                    connection.close(); // a fresh connection now and then, so one stalled by a mutated long-poll does not
                    connection = null;  // swallow all the frames after it
                }
                if (connection == null) {
                    connection = new FuzzConnection(address);
                    connections++;
                    framesLeft = 1 + random.nextInt(30);
                }
                byte[] frame = mutate(seeds.get(random.nextInt(seeds.size())), random);
                boolean sizeLies = ByteBuffer.wrap(frame).getInt(0) != frame.length - 4;
                try {
                    connection.write(frame);
                } catch (IOException closed) {
                    connection.close();
                    connection = null;
                    closedByBroker++;
                    continue;
                }
                if (sizeLies) {
                    connection.close(); // the stream is out of step now: what follows would only extend the lying frame
                    connection = null;
                }
                sent.set(i);
            }
            if (connection != null) {
                connection.close();
            }
            sent.set(FRAMES);
            client.join(TimeUnit.SECONDS.toMillis(120));
            assertThat(client.isAlive()).as("the bystander client finished").isFalse();
            assertThat(clientFailure.get()).as("what the bystander producer or consumer hit").isNull();

            assertThat(broker.isAlive()).as("broker alive after %d mutated frames; output:\n%s", FRAMES, broker.outputTail()).isTrue();
            try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap)) {
                List<String> read = Clients.readFromBeginningToEnd(consumer, List.of(new TopicPartition(topic, 0)), Duration.ofSeconds(60))
                        .stream().map(ConsumerRecord::value).filter(v -> v.startsWith("bystander-")).toList();
                assertThat(read).as("what the bystander produced, read back in order").containsExactlyElementsOf(produced);
            }
            long rssAfter = rssKiB(broker.pid());
            System.out.printf("protocol fuzz: %d frames on %d connections (%d closed by the broker), broker RSS %d -> %d KiB, "
                    + "%d log lines:%n%s%n", FRAMES, connections, closedByBroker, rssBefore, rssAfter, broker.linesPrinted(),
                    broker.outputTail());
            assertThat(rssAfter - rssBefore).as("broker RSS growth in KiB").isLessThan(256 * 1024);
            assertThat(broker.linesPrinted()).as("broker log lines for %d bad frames:\n%s", FRAMES, broker.outputTail()).isLessThan(400);
        }
    }

    /** Produces and acknowledges 2,000 records at a steady pace while the fuzzer runs, then reads them back. */
    private static void produceWhileFuzzing(String bootstrap, String topic, List<String> produced, AtomicLong fuzzed,
            AtomicReference<Throwable> failure) {
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap, Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < 2_000; i++) {
                String value = "bystander-" + i;
                producer.send(new ProducerRecord<>(topic, 0, "k", value)).get(30, TimeUnit.SECONDS);
                produced.add(value);
                if (fuzzed.get() < FRAMES) {
                    Thread.sleep(1);
                }
            }
        } catch (Exception e) {
            failure.set(e);
        }
    }

    /** A raw connection whose responses a daemon thread reads and drops, noting when the broker closes it. */
    private static final class FuzzConnection implements AutoCloseable {
        private final Socket socket = new Socket();
        private volatile boolean closed;

        FuzzConnection(InetSocketAddress address) throws IOException {
            socket.connect(address, 5_000);
            socket.setSoTimeout(30_000);
            socket.setTcpNoDelay(true);
            Thread drain = new Thread(() -> {
                byte[] sink = new byte[64 * 1024];
                try (InputStream in = socket.getInputStream()) {
                    while (in.read(sink) >= 0) {
                        // responses are not checked, only drained so the broker never waits on this socket
                    }
                } catch (IOException ignored) {
                    // reset or closed by either side
                }
                closed = true;
            }, "fuzz-drain");
            drain.setDaemon(true);
            drain.start();
        }

        boolean closed() {
            return closed;
        }

        void write(byte[] frame) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(frame);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Serialized real requests (size prefix included), what the mutations start from. */
    private static List<byte[]> realRequests(String topic) {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(System.currentTimeMillis(), "k".getBytes(), "fuzzed".getBytes()),
                new SimpleRecord(System.currentTimeMillis(), null, "second".getBytes()));
        MemoryRecords gzip = MemoryRecords.withRecords(Compression.gzip().build(),
                new SimpleRecord(System.currentTimeMillis(), "k".getBytes(), "zipped".getBytes()));
        List<byte[]> out = new ArrayList<>();
        for (MemoryRecords r : List.of(records, gzip)) {
            out.add(frame(new ProduceRequest.Builder((short) 9, (short) 9, new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5_000)
                    .setTopicData(new ProduceRequestData.TopicProduceDataCollection(List.of(new ProduceRequestData.TopicProduceData()
                            .setName(topic + "-target").setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                                    .setIndex(0).setRecords(r)))).iterator()))).build((short) 9)));
        }
        out.add(frame(new MetadataRequest.Builder(new MetadataRequestData().setTopics(List.of(
                new MetadataRequestData.MetadataRequestTopic().setName(topic)))).build((short) 12)));
        out.add(frame(FetchRequest.Builder.forConsumer((short) 12, 10, 1, Map.of(new TopicPartition(topic, 1),
                new FetchRequest.PartitionData(org.apache.kafka.common.Uuid.ZERO_UUID, 0, 0, 1 << 20, java.util.Optional.empty())))
                .build((short) 12)));
        out.add(frame(ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED).setTargetTimes(List.of(
                new ListOffsetsRequestData.ListOffsetsTopic().setName(topic).setPartitions(List.of(
                        new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1))))).build((short) 7)));
        out.add(frame(new JoinGroupRequest.Builder(new JoinGroupRequestData().setGroupId("fuzz-group").setMemberId("fuzz-member")
                .setProtocolType("consumer").setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000)
                .setProtocols(new JoinGroupRequestData.JoinGroupRequestProtocolCollection(List.of(
                        new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[8])).iterator())))
                .build((short) 9)));
        out.add(frame(OffsetCommitRequest.Builder.forTopicNames(new OffsetCommitRequestData().setGroupId("fuzz-commits")
                .setGenerationIdOrMemberEpoch(-1).setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                        .setName(topic).setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(1).setCommittedOffset(0)))))).build((short) 8)));
        out.add(frame(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData().setKeyType((byte) 0)
                .setCoordinatorKeys(List.of("fuzz-group"))).build((short) 4)));
        out.add(frame(new ApiVersionsRequest.Builder().build((short) 3)));
        return out;
    }

    private static byte[] frame(AbstractRequest request) {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "fuzzer", 7);
        ByteBuffer body = request.serializeWithHeader(header);
        ByteBuffer framed = ByteBuffer.allocate(4 + body.remaining()).putInt(body.remaining()).put(body);
        return framed.array();
    }

    /** One or two of: bit flips, an int or short overwritten with an extreme, truncation, garbage appended. */
    static byte[] mutate(byte[] original, Random random) {
        byte[] b = original.clone();
        int kinds = 1 + random.nextInt(2);
        for (int k = 0; k < kinds && b.length > 12; k++) {
            switch (random.nextInt(5)) {
                case 0 -> {
                    for (int f = 1 + random.nextInt(8); f > 0; f--) {
                        int at = 4 + random.nextInt(b.length - 4);
                        b[at] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> {
                    int at = 4 + random.nextInt(Math.max(1, b.length - 8));
                    int[] extremes = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7fff, random.nextInt()};
                    ByteBuffer.wrap(b).putInt(at, extremes[random.nextInt(extremes.length)]);
                }
                case 2 -> {
                    int at = 4 + random.nextInt(Math.max(1, b.length - 6));
                    ByteBuffer.wrap(b).putShort(at, (short) (random.nextBoolean() ? -1 : 0x7fff));
                }
                case 3 -> {
                    int keep = 5 + random.nextInt(b.length - 5);
                    byte[] cut = new byte[keep];
                    System.arraycopy(b, 0, cut, 0, keep);
                    ByteBuffer.wrap(cut).putInt(0, keep - 4); // a consistent frame of a truncated request
                    b = cut;
                }
                default -> {
                    byte[] longer = new byte[b.length + 1 + random.nextInt(64)];
                    System.arraycopy(b, 0, longer, 0, b.length);
                    for (int i = b.length; i < longer.length; i++) {
                        longer[i] = (byte) random.nextInt();
                    }
                    ByteBuffer.wrap(longer).putInt(0, longer.length - 4);
                    b = longer;
                }
            }
        }
        if (random.nextInt(10) != 0) {
            ByteBuffer.wrap(b).putInt(0, b.length - 4); // mostly keep the frame itself whole, so the body gets parsed
        }
        return b;
    }

    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return -1;
    }
}
