package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.brook.http.HttpGateway;
import dev.brook.http.HttpLimits;
import dev.brook.testkit.BrookExtension;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium (Debian's chromium and chromium-driver, driven by Selenium) on the gateway's live-tail page
 * ({@code /tail?topic=}), which uses EventSource and WebSocket as any web page would: records a Kafka producer writes
 * appear on the page; a record published from the page's form reaches a Kafka consumer; and when the gateway goes
 * away and comes back, the browser's EventSource reconnects by itself (with Last-Event-ID) and the page ends up with
 * every record exactly once, those written while it was away included.
 *
 * <p>Skipped only on a developer machine without Chromium; in CI ({@code CI=true}) that fails the test.
 */
@Timeout(180)
class BrowserTest {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String DRIVER = "/usr/bin/chromedriver";

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    @TempDir
    Path profile;
    private HttpGateway gateway;
    private ChromeDriver browser;

    @BeforeEach
    void start() {
        boolean present = Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(DRIVER));
        if (!present && ExternalCommand.inCi()) {
            fail("chromium and chromium-driver are missing; CI must install them (.ci/run does: apt-get install chromium chromium-driver)");
        }
        Assumptions.assumeTrue(present, "chromium or chromedriver is not installed; skipping (required when CI=true)");
        gateway = HttpGateway.start(brook.broker(), "127.0.0.1", 0, HttpLimits.defaults());
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @SuppressWarnings("unchecked")
    private List<String> received() {
        List<Object> values = (List<Object>) ((JavascriptExecutor) browser).executeScript("return window.brook.received.slice()");
        List<String> out = new ArrayList<>();
        values.forEach(v -> out.add(String.valueOf(v)));
        return out;
    }

    private long page(String expression) {
        return ((Number) ((JavascriptExecutor) browser).executeScript("return " + expression)).longValue();
    }

    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void thePageShowsRecordsLivePublishesThroughTheWebSocketAndResumesWithNoGapAfterTheServerComesBack() throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            for (int i = 0; i < 5; i++) {
                sent.add(send(producer, topic, i % 2, "before-" + i));
            }
            browser.get("http://127.0.0.1:" + gateway.localAddress().getPort() + "/tail?topic=" + topic);
            await(() -> received().size() == 5, "the page shows the 5 records already there: " + received());
            for (int i = 0; i < 5; i++) {
                sent.add(send(producer, topic, i % 2, "live-" + i));
            }
            await(() -> received().size() == 10, "the page shows the 5 live records: " + received());
            assertThat(browser.findElement(By.id("records")).findElements(By.tagName("tr"))).hasSize(10);

            browser.findElement(By.id("key")).sendKeys("from-page");
            browser.findElement(By.id("value")).sendKeys("hello from chromium");
            browser.findElement(By.cssSelector("#publish button")).click();
            await(() -> page("window.brook.acks.length") == 1, "the page's publish is acknowledged");
            await(() -> received().size() == 11, "the published record comes back through the event stream");
            try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers())) {
                List<ConsumerRecord<String, String>> all = Clients.readFromBeginningToEnd(consumer,
                        ProduceConsumeTest.partitions(topic, 2), Duration.ofSeconds(30));
                assertThat(all).filteredOn(r -> "from-page".equals(r.key())).extracting(ConsumerRecord::value)
                        .containsExactly("hello from chromium");
                all.stream().filter(r -> "from-page".equals(r.key())).forEach(r -> sent.add(r.partition() + ":" + r.offset() + ":" + r.value()));
            }

            int port = gateway.localAddress().getPort();
            long opens = page("window.brook.opens");
            gateway.close(); // every HTTP connection drops; EventSource retries every second (retry: 1000)
            for (int i = 0; i < 5; i++) {
                sent.add(send(producer, topic, i % 2, "while-away-" + i));
            }
            gateway = HttpGateway.start(brook.broker(), "127.0.0.1", port, HttpLimits.defaults());
            await(() -> received().size() == 16, "the page catches up after the reconnect: " + received());
            Thread.sleep(1_500); // a duplicate would arrive by now
            assertThat(page("window.brook.opens")).as("EventSource reconnected by itself").isGreaterThan(opens);
        }
        List<String> seen = received();
        assertThat(new HashSet<>(seen)).as("no duplicates").hasSize(seen.size());
        assertThat(seen).as("every record, no gap").containsExactlyInAnyOrderElementsOf(sent);
    }

    private static String send(KafkaProducer<String, String> producer, String topic, int partition, String value) throws Exception {
        var m = producer.send(new ProducerRecord<>(topic, partition, "k", value)).get(10, TimeUnit.SECONDS);
        return m.partition() + ":" + m.offset() + ":" + value;
    }
}
