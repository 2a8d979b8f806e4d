package dev.brook.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brook.testkit.BrookExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Requests and replies through the helpers over a real broker: many at once, matched, and timeouts when nobody answers. */
@Timeout(120)
class RequestReplyTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static Map<String, Object> config() {
        return Map.of("bootstrap.servers", brook.bootstrapServers());
    }

    private static void topics(String... names) throws Exception {
        try (Admin admin = Admin.create(config())) {
            List<NewTopic> topics = new ArrayList<>();
            for (String n : names) {
                topics.add(new NewTopic(n, 3, (short) 1));
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyRequestGetsItsOwnReplyEvenWhenManyAreInFlightAcrossTwoResponders() throws Exception {
        String id = "rr-" + System.nanoTime();
        topics(id + "-requests", id + "-replies");
        try (Responder a = Responder.start(config(), id + "-requests", id + "-service", r -> bytes("A:" + new String(r.value(), StandardCharsets.UTF_8).toUpperCase()));
             Responder b = Responder.start(config(), id + "-requests", id + "-service", r -> bytes("B:" + new String(r.value(), StandardCharsets.UTF_8).toUpperCase()));
             Requester requester = Requester.create(config(), id + "-replies")) {
            assertThat(a.awaitReady(Duration.ofSeconds(30))).isTrue();
            assertThat(b.awaitReady(Duration.ofSeconds(30))).isTrue();
            List<CompletableFuture<ConsumerRecord<byte[], byte[]>>> replies = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                replies.add(requester.request(id + "-requests", bytes("k" + i), bytes("hello-" + i), Duration.ofSeconds(20)));
            }
            for (int i = 0; i < 200; i++) {
                ConsumerRecord<byte[], byte[]> reply = replies.get(i).get(30, TimeUnit.SECONDS);
                String value = new String(reply.value(), StandardCharsets.UTF_8);
                assertThat(value.substring(2)).as("reply %d", i).isEqualTo("HELLO-" + i);
                assertThat(new String(reply.key(), StandardCharsets.UTF_8)).isEqualTo("k" + i);
            }
        }
    }

    @Test
    void aRequestNobodyAnswersTimesOut() throws Exception {
        String id = "rr-" + System.nanoTime();
        topics(id + "-requests", id + "-replies");
        try (Requester requester = Requester.create(config(), id + "-replies")) {
            long start = System.nanoTime();
            CompletableFuture<ConsumerRecord<byte[], byte[]>> reply = requester.request(id + "-requests", null, bytes("anyone?"), Duration.ofMillis(500));

            assertThatThrownBy(() -> reply.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(400L, 5_000L);
        }
    }

    @Test
    void aReplyTopicThatDoesNotExistIsRefusedAtOnce() {
        assertThatThrownBy(() -> Requester.create(Map.of("bootstrap.servers", brook.bootstrapServers(), "allow.auto.create.topics", false),
                "absent-" + System.nanoTime())).isInstanceOf(IllegalArgumentException.class);
    }
}
