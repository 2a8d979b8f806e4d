package dev.brook.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 1,000 event streams of one topic at once, read by one selector thread: every stream gets every record a Kafka
 * producer writes, in order, and the broker's heap grows by a bounded amount (no per-stream copy of the data is
 * kept: each stream reads the log itself).
 */
@Timeout(180)
class ManySubscribersTest {
    private static final int STREAMS = 1_000;
    private static final int RECORDS = 200;

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    /** One stream's socket and what its reader has seen so far. */
    private static final class Stream {
        final SocketChannel channel;
        final StringBuilder pending = new StringBuilder();
        int events;
        long lastOffset = -1;
        boolean outOfOrder;

        Stream(SocketChannel channel) {
            this.channel = channel;
        }

        void consume(String text) {
            pending.append(text);
            int line;
            while ((line = pending.indexOf("\n")) >= 0) {
                String l = pending.substring(0, line);
                pending.delete(0, line + 1);
                if (l.startsWith("data: ")) {
                    int at = l.indexOf("\"offset\":");
                    long offset = Long.parseLong(l.substring(at + 9, l.indexOf(',', at)));
                    outOfOrder |= offset != lastOffset + 1;
                    lastOffset = offset;
                    events++;
                }
            }
        }
    }

    @Test
    void aThousandStreamsOfOneTopicEachGetEveryRecordInOrderAndMemoryStaysBounded() throws Exception {
        String topic = "fanout-" + System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (HttpGateway gateway = HttpGateway.start(brook.broker(), "127.0.0.1", 0, HttpLimits.defaults());
             Selector selector = Selector.open();
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     brook.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 1), new StringSerializer(), new StringSerializer())) {
            long heapBefore = usedHeapAfterGc();
            List<Stream> streams = new ArrayList<>();
            byte[] request = ("GET /events/" + topic + "?from=earliest HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < STREAMS; i++) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", gateway.localAddress().getPort()));
                ch.write(ByteBuffer.wrap(request));
                ch.configureBlocking(false);
                Stream s = new Stream(ch);
                ch.register(selector, SelectionKey.OP_READ, s);
                streams.add(s);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (gateway.openStreams() < STREAMS && System.nanoTime() < deadline) {
                read(selector);
            }
            assertThat(gateway.openStreams()).as("streams open").isEqualTo(STREAMS);

            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "record-" + i + "-" + "x".repeat(200)));
            }
            producer.flush();
            while (streams.stream().anyMatch(s -> s.events < RECORDS) && System.nanoTime() < deadline) {
                read(selector);
            }
            long heapAfter = usedHeapAfterGc();

            assertThat(streams).as("streams that got every record").allSatisfy(s -> assertThat(s.events).isEqualTo(RECORDS));
            assertThat(streams).as("streams that got them in order").noneMatch(s -> s.outOfOrder);
            System.out.printf("1,000 streams: heap %d -> %d MiB%n", heapBefore >> 20, heapAfter >> 20);
            assertThat(heapAfter - heapBefore).as("heap growth with 1,000 open streams, bytes").isLessThan(150L << 20);
            for (Stream s : streams) {
                s.channel.close();
            }
        }
    }

    private static void read(Selector selector) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        selector.select(100);
        for (SelectionKey key : selector.selectedKeys()) {
            Stream s = (Stream) key.attachment();
            buffer.clear();
            int n = s.channel.read(buffer);
            if (n > 0) {
                s.consume(new String(buffer.array(), 0, n, StandardCharsets.UTF_8));
            }
        }
        selector.selectedKeys().clear();
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
