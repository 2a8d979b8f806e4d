package dev.brook.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** An open event stream whose events a thread parses into a queue, line by line as they arrive, as EventSource does. */
final class SseReader implements AutoCloseable {
    /** One SSE event as parsed: its id and its data, or a comment. */
    record Event(String id, String event, String data, String comment) {
        JsonNode json() {
            try {
                return GatewayClient.JSON.readTree(data);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    final int status;
    private final Stream<String> lines;
    private final Thread reader;

    SseReader(GatewayClient http, String pathAndQuery, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(http.base() + pathAndQuery)).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> response = http.client().send(request.build(), HttpResponse.BodyHandlers.ofLines());
        status = response.statusCode();
        lines = response.body();
        reader = new Thread(() -> {
            String id = null;
            String event = null;
            StringBuilder data = null;
            try {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.isEmpty()) {
                        if (data != null || id != null) {
                            events.add(new Event(id, event, data == null ? null : data.toString(), null));
                        }
                        id = null;
                        event = null;
                        data = null;
                    } else if (line.startsWith(":")) {
                        events.add(new Event(null, null, null, line.substring(1).trim()));
                    } else if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
                    }
                }
            } catch (RuntimeException closed) {
                // the stream was closed under the reader
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** The next {@code n} record events (comments and id-only events skipped), waiting up to 20 s. */
    List<Event> records(int n) throws InterruptedException {
        return records(n, Duration.ofSeconds(20));
    }

    List<Event> records(int n, Duration wait) throws InterruptedException {
        List<Event> out = new ArrayList<>();
        long deadline = System.nanoTime() + wait.toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            Event e = events.poll(200, TimeUnit.MILLISECONDS);
            if (e != null && e.data() != null && e.event() == null) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        lines.close();
    }
}
