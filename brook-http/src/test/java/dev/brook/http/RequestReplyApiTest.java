package dev.brook.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.client.Responder;
import dev.brook.testkit.BrookExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code POST /request/{topic}} answered by brook-client's Responder over Kafka, many at once, and 504 when nobody answers. */
@Timeout(120)
class RequestReplyApiTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static HttpGateway gateway;
    private static GatewayClient http;

    @BeforeAll
    static void start() {
        gateway = HttpGateway.start(brook.broker(), "127.0.0.1", 0, HttpLimits.defaults());
        http = new GatewayClient(gateway);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static String createTopic() throws Exception {
        String topic = "rpc-" + System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    @Test
    void anHttpRequestIsAnsweredByAKafkaResponder() throws Exception {
        String topic = createTopic();
        try (Responder responder = Responder.start(Map.of("bootstrap.servers", brook.bootstrapServers()), topic, topic + "-svc",
                r -> ("echo:" + new String(r.value(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8))) {
            assertThat(responder.awaitReady(Duration.ofSeconds(30))).isTrue();
            List<CompletableFuture<GatewayClient.Response>> replies = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                replies.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return http.post("/request/" + topic + "?timeout_ms=10000",
                                "{\"key\":{\"type\":\"STRING\",\"data\":\"k" + n + "\"},\"value\":{\"type\":\"STRING\",\"data\":\"ping-" + n + "\"}}");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (int i = 0; i < 20; i++) {
                GatewayClient.Response r = replies.get(i).get(30, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.raw()).isEqualTo(200);
                assertThat(r.body().path("value").asText()).isEqualTo("echo:ping-" + i);
                assertThat(r.body().path("key").asText()).isEqualTo("k" + i);
                assertThat(r.body().path("headers").has("correlation-id")).isTrue();
            }
        }
    }

    @Test
    void aRequestNobodyAnswersGets504AfterItsTimeout() throws Exception {
        String topic = createTopic();
        long start = System.nanoTime();

        GatewayClient.Response r = http.post("/request/" + topic + "?timeout_ms=700", "{\"value\":{\"type\":\"STRING\",\"data\":\"anyone?\"}}");

        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        RestApiTest.assertError(r, 504, 504, "no reply");
        assertThat(ms).isBetween(600L, 5_000L);
        RestApiTest.assertError(http.post("/request/absent-" + topic, "{}"), 404, 40403, "topic-partition");
        RestApiTest.assertError(http.post("/request/" + topic + "?timeout_ms=0", "{}"), 400, 400, "timeout_ms");
    }
}
