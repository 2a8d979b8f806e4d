package dev.brook.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brook.testkit.BrookExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Browsers and origins: with no origins allowed (the default) a page of another origin gets no CORS headers and cannot
 * open a WebSocket, while same-origin pages and non-browser clients are unaffected; with an origin allowed, its
 * preflights, REST answers and event streams carry the CORS headers and its WebSockets are accepted.
 */
@Timeout(60)
class AllowedOriginsTest {
    private static final String APP = "http://app.example:3000";
    private static final String EVIL = "http://evil.example";

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static HttpGateway closed;
    private static HttpGateway open;
    private static String topic;

    @BeforeAll
    static void start() throws Exception {
        closed = HttpGateway.start(brook.broker(), "127.0.0.1", 0, HttpLimits.defaults());
        open = HttpGateway.start(brook.broker(), "127.0.0.1", 0, HttpLimits.defaults(),
                AllowedOrigins.from(Map.of(AllowedOrigins.NAME, APP + ", http://other.example")));
        topic = "cors-" + System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        closed.close();
        open.close();
    }

    /** The status code and headers (lower-case names) of the answer to a raw request; the body is not read. */
    record Head(int status, Map<String, String> headers) {
    }

    private static Head send(HttpGateway gateway, String method, String path, Map<String, String> headers) throws Exception {
        int port = gateway.localAddress().getPort();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            req.append("Content-Length: 0\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            String status = in.readLine();
            Map<String, String> h = new LinkedHashMap<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                int colon = line.indexOf(':');
                h.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            return new Head(Integer.parseInt(status.split(" ")[1]), h);
        }
    }

    private static Map<String, String> upgrade(String origin) {
        Map<String, String> h = new LinkedHashMap<>(Map.of("Upgrade", "websocket", "Connection", "Upgrade",
                "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13"));
        if (origin != null) {
            h.put("Origin", origin);
        }
        return h;
    }

    @Test
    void byDefaultAnotherOriginGetsNoCorsHeadersAndNoWebSocket() throws Exception {
        Head rest = send(closed, "GET", "/v3/clusters", Map.of("Origin", EVIL));
        assertThat(rest.status()).isEqualTo(200);
        assertThat(rest.headers()).doesNotContainKey("access-control-allow-origin");

        assertThat(send(closed, "GET", "/ws", upgrade(EVIL)).status()).as("a foreign page's WebSocket").isEqualTo(403);
        assertThat(send(closed, "GET", "/ws", upgrade(null)).status()).as("a client that is not a browser").isEqualTo(101);
        int port = closed.localAddress().getPort();
        assertThat(send(closed, "GET", "/ws", upgrade("http://127.0.0.1:" + port)).status()).as("the gateway's own pages (/tail)")
                .isEqualTo(101);
    }

    @Test
    void byDefaultAnotherOriginCannotChangeAnythingNorTakeRecordsFromAGroup() throws Exception {
        Map<String, String> evilPost = Map.of("Origin", EVIL, "Content-Type", "text/plain");
        assertThat(send(closed, "POST", "/v3/clusters/x/topics/" + topic + "/records", evilPost).status()).isEqualTo(403);
        assertThat(send(closed, "POST", "/webhooks", evilPost).status()).isEqualTo(403);
        assertThat(send(closed, "DELETE", "/v3/clusters/x/topics/" + topic, Map.of("Origin", EVIL)).status()).isEqualTo(403);
        assertThat(send(closed, "POST", "/v3/clusters/x/topics/" + topic + "/records", Map.of("Sec-Fetch-Site", "cross-site",
                "Content-Type", "text/plain")).status()).as("a cross-site form post without Origin").isEqualTo(403);
        String cluster = new GatewayClient(closed).get("/v3/clusters").body().path("data").get(0).path("cluster_id").asText();
        assertThat(send(closed, "POST", "/v3/clusters/" + cluster + "/topics/" + topic + "/records", Map.of("Content-Type", "text/plain; x=json"))
                .status()).as("not a browser, but not JSON either").isEqualTo(415);

        String events = "/events/" + topic + "?group=g-" + System.nanoTime();
        assertThat(send(closed, "GET", events, Map.of("Origin", EVIL)).status()).as("EventSource from another page").isEqualTo(403);
        assertThat(send(closed, "GET", events, Map.of("Sec-Fetch-Site", "cross-site")).status()).as("a no-cors fetch").isEqualTo(403);
        assertThat(send(closed, "GET", "/events/" + topic, Map.of("Origin", EVIL)).status())
                .as("a plain event stream changes nothing; the browser keeps its answer from the page").isEqualTo(200);
        assertThat(send(closed, "GET", events, Map.of()).status()).isEqualTo(200);
    }

    @Test
    void anAllowedOriginGetsPreflightsRestAnswersEventStreamsAndWebSockets() throws Exception {
        Head preflight = send(open, "OPTIONS", "/v3/clusters/x/topics/" + topic + "/records", Map.of("Origin", APP,
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type"));
        assertThat(preflight.status()).isEqualTo(200);
        assertThat(preflight.headers()).containsEntry("access-control-allow-origin", APP);
        assertThat(preflight.headers().get("access-control-allow-methods")).contains("POST");
        assertThat(preflight.headers().get("access-control-allow-headers").toLowerCase(Locale.ROOT)).contains("content-type");

        assertThat(send(open, "GET", "/v3/clusters", Map.of("Origin", APP)).headers()).containsEntry("access-control-allow-origin", APP);
        Head events = send(open, "GET", "/events/" + topic, Map.of("Origin", APP, "Accept", "text/event-stream"));
        assertThat(events.status()).isEqualTo(200);
        assertThat(events.headers()).containsEntry("access-control-allow-origin", APP);
        assertThat(send(open, "GET", "/ws", upgrade(APP)).status()).isEqualTo(101);

        assertThat(send(open, "GET", "/v3/clusters", Map.of("Origin", EVIL)).headers()).doesNotContainKey("access-control-allow-origin");
        assertThat(send(open, "GET", "/ws", upgrade(EVIL)).status()).isEqualTo(403);
        assertThat(send(open, "GET", "/events/" + topic + "?group=g-" + System.nanoTime(), Map.of("Origin", APP)).status()).isEqualTo(200);
    }

    @Test
    void theSettingTakesOriginsOrAStarAndRefusesAnythingElse() {
        assertThat(AllowedOrigins.from(Map.of()).any()).isFalse();
        AllowedOrigins star = AllowedOrigins.from(Map.of(AllowedOrigins.NAME, "*"));
        assertThat(star.allowsChange(EVIL, "cross-site", "127.0.0.1:8082")).isTrue();
        AllowedOrigins none = AllowedOrigins.none();
        assertThat(none.allowsChange(null, null, "127.0.0.1:8082")).as("curl, kafka tools, services").isTrue();
        assertThat(none.allowsChange(null, "none", "127.0.0.1:8082")).as("typed into the address bar").isTrue();
        assertThat(none.allowsChange(null, "same-site", "127.0.0.1:8082")).as("another port of localhost").isFalse();
        assertThat(none.allowsChange("null", null, "127.0.0.1:8082")).as("a sandboxed page or file://").isFalse();
        assertThatThrownBy(() -> AllowedOrigins.from(Map.of(AllowedOrigins.NAME, "app.example")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(AllowedOrigins.NAME);
        assertThatThrownBy(() -> AllowedOrigins.from(Map.of(AllowedOrigins.NAME, "http://app.example/path")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
