package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whatever one connection sends, the broker either answers it as Kafka would or closes that connection, and it
 * keeps serving everyone else. Each test ends by producing and reading back records with the real Java clients.
 */
@Timeout(120)
class BadInputTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(5);

    private static String topic;

    @BeforeAll
    static void createTopic() throws Exception {
        topic = AdminClientTest.uniqueTopic();
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
    }

    @Test
    void aValidApiVersionsRequestIsAnsweredWithEveryApiTheBrokerServes() throws Exception {
        try (RawConnection connection = open()) {
            RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "bad-input-test", 4242);
            ApiVersionsResponse response = (ApiVersionsResponse) connection.roundTrip(new ApiVersionsRequest.Builder().build((short) 3), header);

            assertThat(Errors.forCode(response.data().errorCode())).isEqualTo(Errors.NONE);
            ApiVersion produce = response.apiVersion(ApiKeys.PRODUCE.id);
            assertThat(produce).as("Produce is listed").isNotNull();
            assertThat(produce.minVersion()).as("Produce min version, advertised as 0 like Kafka 4 does for librdkafka").isZero();
            assertThat(produce.maxVersion()).as("Produce max version").isGreaterThanOrEqualTo((short) 9);
            for (ApiKeys api : List.of(ApiKeys.FETCH, ApiKeys.METADATA, ApiKeys.LIST_OFFSETS, ApiKeys.API_VERSIONS, ApiKeys.CREATE_TOPICS)) {
                assertThat(response.apiVersion(api.id)).as("%s is listed", api).isNotNull();
            }
            assertThat(response.apiVersion(ApiKeys.API_VERSIONS.id).maxVersion()).isGreaterThanOrEqualTo((short) 3);
        }
    }

    @Test
    void anApiVersionsRequestOfAnUnknownVersionGetsUnsupportedVersionWithTheApiListEncodedAsVersionZero() throws Exception {
        int correlationId = 777_001;
        byte[] clientId = "bad-input-test".getBytes(StandardCharsets.UTF_8);
        ByteBuffer header = ByteBuffer.allocate(2 + 2 + 4 + 2 + clientId.length + 1);
        header.putShort(ApiKeys.API_VERSIONS.id).putShort((short) 127).putInt(correlationId)
                .putShort((short) clientId.length).put(clientId)
                .put((byte) 0); // no tagged fields, in case the header is read as flexible (v2); the body is empty
        try (RawConnection connection = open()) {
            connection.writeFrame(header.array());
            ByteBuffer response = ByteBuffer.wrap(connection.readFrame());

            assertThat(response.getInt()).as("correlation id").isEqualTo(correlationId);
            ApiVersionsResponse parsed = ApiVersionsResponse.parse(new ByteBufferAccessor(response), (short) 0);
            assertThat(Errors.forCode(parsed.data().errorCode())).isEqualTo(Errors.UNSUPPORTED_VERSION);
            assertThat(parsed.data().apiKeys()).as("api versions the client can fall back to").isNotEmpty();
            assertThat(parsed.apiVersion(ApiKeys.API_VERSIONS.id)).isNotNull();
            assertThat(response.remaining()).as("bytes left after a v0 body").isZero();
        }
        assertBrokerStillServes();
    }

    @Test
    void aGarbageFrameClosesThatConnectionOnly() throws Exception {
        byte[] garbage = new byte[64];
        new Random(20_260_124L).nextBytes(garbage);
        garbage[0] |= (byte) 0x80; // a negative API key: no reading of it can make this a real request
        try (RawConnection bystander = open(); RawConnection connection = open()) {
            connection.writeFrame(garbage);

            assertThat(connection.closedByBroker(CLOSE_WITHIN)).as("connection that sent garbage is closed").isTrue();
            assertThat(bystander.highestCommonVersion(ApiKeys.PRODUCE)).as("an open bystander connection still answers")
                    .isGreaterThanOrEqualTo((short) 3);
        }
        assertBrokerStillServes();
    }

    @Test
    void aWellFormedHeaderFollowedByABodyThatDoesNotParseClosesTheConnection() throws Exception {
        byte[] clientId = "bad-input-test".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[32];
        Arrays.fill(body, (byte) 0xFF); // transactional_id as an unsigned varint that never ends
        byte[] frame = ByteBuffer.allocate(2 + 2 + 4 + 2 + clientId.length + 1 + body.length)
                .putShort(ApiKeys.PRODUCE.id).putShort((short) 9).putInt(99) // Produce v9: flexible, request header v2
                .putShort((short) clientId.length).put(clientId)
                .put((byte) 0) // no tagged fields: the header is complete and valid
                .put(body)
                .array();
        try (RawConnection connection = open()) {
            connection.writeFrame(frame);

            assertThat(connection.closedByBroker(CLOSE_WITHIN)).isTrue();
        }
        assertBrokerStillServes();
    }

    @ParameterizedTest(name = "size prefix {0}")
    @ValueSource(ints = {200_000_000, Integer.MAX_VALUE, -1})
    void aFrameSizeBeyondTheLimitOrNegativeClosesTheConnectionWithoutWaitingForTheBytes(int sizePrefix) throws Exception {
        try (RawConnection connection = open()) {
            connection.writeRaw(ByteBuffer.allocate(4 + 16).putInt(sizePrefix).put(new byte[16]).array());

            assertThat(connection.closedByBroker(CLOSE_WITHIN)).as("closed after size prefix %d", sizePrefix).isTrue();
        }
        assertBrokerStillServes();
    }

    @Test
    void anUnknownApiKeyClosesTheConnection() throws Exception {
        byte[] clientId = "bad-input-test".getBytes(StandardCharsets.UTF_8);
        ByteBuffer header = ByteBuffer.allocate(2 + 2 + 4 + 2 + clientId.length);
        header.putShort((short) 32_000).putShort((short) 0).putInt(5).putShort((short) clientId.length).put(clientId);
        try (RawConnection connection = open()) {
            connection.writeFrame(header.array());

            assertThat(connection.closedByBroker(CLOSE_WITHIN)).isTrue();
        }
        assertBrokerStillServes();
    }

    @Test
    void fiveHundredHalfOpenConnectionsDoNotStopRealClientsFromProducingAndConsuming() throws Exception {
        List<Socket> halfOpen = new ArrayList<>();
        try {
            String[] hostPort = brook.bootstrapServers().split(":");
            InetSocketAddress address = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
            for (int i = 0; i < 500; i++) {
                Socket socket = new Socket();
                halfOpen.add(socket);
                socket.connect(address, 5_000);
                switch (i % 3) {
                    case 0 -> { } // connects and says nothing
                    case 1 -> socket.getOutputStream().write(new byte[] {0, 0}); // half a size prefix
                    default -> socket.getOutputStream().write(ByteBuffer.allocate(10).putInt(100).putShort(ApiKeys.METADATA.id).array()); // a frame cut short
                }
            }

            long start = System.nanoTime();
            assertBrokerStillServes();
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(elapsedMs).as("ms to produce and read back with 500 half-open connections").isLessThan(20_000);
            assertThat(halfOpen.stream().filter(Socket::isConnected).count()).isEqualTo(500);
        } finally {
            for (Socket socket : halfOpen) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing is best effort; the test's verdict does not depend on it
                }
            }
        }
    }

    private static RawConnection open() throws IOException {
        return RawConnection.open(brook.bootstrapServers(), Duration.ofSeconds(10));
    }

    /** A fresh producer and consumer append 50 records and read them back. */
    private static void assertBrokerStillServes() throws Exception {
        String marker = "still-serving-" + System.nanoTime();
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers(), Map.of())) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(topic, "k", marker + "-" + i)).get(15, TimeUnit.SECONDS);
            }
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers())) {
            List<String> values = Clients.readFromBeginningToEnd(consumer, ProduceConsumeTest.partitions(topic, 1), Duration.ofSeconds(20))
                    .stream().map(ConsumerRecord::value).filter(v -> v.startsWith(marker)).collect(Collectors.toList());
            assertThat(values).containsExactlyElementsOf(IntStream.range(0, 50).mapToObj(i -> marker + "-" + i).collect(Collectors.toList()));
        }
    }
}
