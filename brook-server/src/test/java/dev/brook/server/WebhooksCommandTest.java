package dev.brook.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.http.HttpGateway;
import dev.brook.http.HttpLimits;
import dev.brook.testkit.BrookExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code brook webhooks add|list|describe|delete} against a running gateway. */
@Timeout(60)
class WebhooksCommandTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    @Test
    void addListDescribeDeleteThroughTheGateway() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", brook.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("hooked", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (HttpGateway gateway = HttpGateway.start(brook.broker(), "127.0.0.1", 0, HttpLimits.defaults())) {
            String http = "127.0.0.1:" + gateway.localAddress().getPort();

            CliHarness.Result added = CliHarness.run(null, "webhooks", "add", "crm", "--http", http, "--topic", "hooked",
                    "--url", "http://127.0.0.1:1/never", "--secret", "s", "--max-attempts", "3");
            CliHarness.Result listed = CliHarness.run(null, "webhooks", "list", "--http", http);
            CliHarness.Result described = CliHarness.run(null, "webhooks", "describe", "crm", "--http", http);
            CliHarness.Result again = CliHarness.run(null, "webhooks", "add", "crm", "--http", http, "--topic", "hooked", "--url", "http://x/y");
            CliHarness.Result deleted = CliHarness.run(null, "webhooks", "delete", "crm", "--http", http);
            CliHarness.Result gone = CliHarness.run(null, "webhooks", "describe", "crm", "--http", http);

            assertThat(added.exitCode()).as(added.err()).isZero();
            assertThat(added.out()).contains("\"name\":\"crm\"", "\"max_attempts\":3", "\"signed\":true").doesNotContain("\"secret\"");
            assertThat(listed.out()).contains("\"crm\"");
            assertThat(described.out()).contains("\"consumer_group\":\"brook-webhook-crm\"");
            assertThat(again.exitCode()).isEqualTo(1);
            assertThat(again.err()).contains("exists already", "409");
            assertThat(deleted.exitCode()).isZero();
            assertThat(deleted.out()).contains("Deleted webhook crm.");
            assertThat(gone.exitCode()).isEqualTo(1);
        }
        CliHarness.Result unreachable = CliHarness.run(null, "webhooks", "list", "--http", "127.0.0.1:1");
        assertThat(unreachable.exitCode()).isNotZero();
        assertThat(unreachable.err()).contains("cannot reach the HTTP gateway");
    }
}
