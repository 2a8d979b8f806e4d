package dev.brook.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code brook webhooks add|list|describe|delete}: webhook subscriptions, through the HTTP gateway's {@code /webhooks}
 * API ({@code --http HOST:PORT}, 127.0.0.1:8082 by default). Prints the gateway's JSON; a refused request prints its
 * message and exits 1.
 */
@Command(name = "webhooks", mixinStandardHelpOptions = true, description = "Add, list, describe and delete webhook subscriptions.",
        subcommands = {WebhooksCommand.Add.class, WebhooksCommand.ListHooks.class, WebhooksCommand.Describe.class,
                WebhooksCommand.Delete.class})
final class WebhooksCommand {

    /** Where the gateway is, and one call to it. */
    static class Gateway {
        @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8082",
                description = "The HTTP gateway (default: ${DEFAULT-VALUE}).")
        String http;

        int call(String method, String path, String json) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + http + path)).timeout(Duration.ofSeconds(30));
            if (json != null) {
                request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> response;
            try {
                response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                        .send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.net.ConnectException e) {
                throw new IOException("cannot reach the HTTP gateway at " + http + " (is brook server running with --http-listen?)", e);
            }
            if (response.statusCode() / 100 != 2) {
                String body = response.body();
                int at = body.indexOf("\"message\":\"");
                String message = at < 0 ? body : body.substring(at + 11, Math.max(at + 11, body.lastIndexOf('"')));
                BrookCli.err.println("brook: " + message + " (HTTP " + response.statusCode() + ")");
                return 1;
            }
            if (!response.body().isEmpty()) {
                BrookCli.out.println(response.body());
            }
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "POST every record of a topic to a URL.")
    static final class Add extends Gateway implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Option(names = "--topic", required = true)
        String topic;
        @Option(names = "--url", required = true)
        String url;
        @Option(names = "--secret", description = "Signs each request: X-Brook-Signature: sha256=<HMAC-SHA256 of the body>.")
        String secret;
        @Option(names = "--from", defaultValue = "latest", description = "earliest or latest (default: ${DEFAULT-VALUE}).")
        String from;
        @Option(names = "--max-attempts", description = "Attempts before the dead-letter topic (default 10).")
        Integer maxAttempts;
        @Option(names = "--timeout-ms", description = "How long one attempt may take (default 10000).")
        Long timeoutMs;
        @Option(names = "--dead-letter-topic", description = "Default: NAME-dlq.")
        String deadLetterTopic;

        @Override
        public Integer call() throws Exception {
            StringBuilder json = new StringBuilder("{");
            field(json, "name", name);
            field(json, "topic", topic);
            field(json, "url", url);
            field(json, "from", from);
            if (secret != null) {
                field(json, "secret", secret);
            }
            if (deadLetterTopic != null) {
                field(json, "dead_letter_topic", deadLetterTopic);
            }
            if (maxAttempts != null) {
                json.append("\"max_attempts\":").append(maxAttempts).append(',');
            }
            if (timeoutMs != null) {
                json.append("\"timeout_ms\":").append(timeoutMs).append(',');
            }
            json.setLength(json.length() - 1);
            json.append('}');
            return call("POST", "/webhooks", json.toString());
        }

        private static void field(StringBuilder json, String name, String value) {
            json.append('"').append(name).append("\":\"").append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append("\",");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every subscription.")
    static final class ListHooks extends Gateway implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return call("GET", "/webhooks", null);
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, description = "One subscription, with its delivery counts.")
    static final class Describe extends Gateway implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            return call("GET", "/webhooks/" + name, null);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Stop a subscription and delete its consumer group.")
    static final class Delete extends Gateway implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            int code = call("DELETE", "/webhooks/" + name, null);
            if (code == 0) {
                BrookCli.out.println("Deleted webhook " + name + ".");
            }
            return code;
        }
    }
}
