package dev.brook.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The REST Proxy's streaming mode: a request sent with {@code Transfer-Encoding: chunked} carries records as
 * concatenated JSON objects ({@code {...}{...}}, whitespace between allowed), and the response carries one delivery
 * report per record, in the same order, as concatenated JSON, each with its own {@code error_code} (200 for a record
 * stored; a failed record's report is just {@code {"error_code", "message"}}). The HTTP status is 200 as soon as the
 * stream is open. A body that stops being a sequence of JSON objects, or one record larger than the body limit, gets
 * one last error report, and the stream ends there.
 *
 * <p>Records are split out of the chunks by a small scanner (depth of braces outside strings) rather than a streaming
 * JSON parser, so a record can arrive split across any number of chunks. Owned by the connection's event loop;
 * appends complete on other threads and their reports are written back here, in order.
 */
final class ProduceStream {
    private final ProduceResource produce;
    private final ChannelHandlerContext ctx;
    private final String topic;
    private final int maxRecordBytes;
    private final ArrayDeque<CompletableFuture<ObjectNode>> reports = new ArrayDeque<>();
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private int depth;
    private boolean inString;
    private boolean escaped;
    private boolean broken;
    private boolean ended;
    private boolean finished;

    ProduceStream(ProduceResource produce, Exchange x, int maxRecordBytes) {
        this.produce = produce;
        this.ctx = x.ctx;
        this.topic = x.path("topic_name");
        this.maxRecordBytes = maxRecordBytes;
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ctx.writeAndFlush(response);
    }

    /** Takes the next chunk of the request body. */
    void feed(ByteBuf chunk) {
        while (!broken && chunk.isReadable()) {
            byte b = chunk.readByte();
            if (depth == 0) {
                if (b == '{') {
                    depth = 1;
                    current.write(b);
                } else if (!Character.isWhitespace(b)) {
                    fail("Bad Request: Error processing message: the stream must be JSON objects one after another, found '"
                            + (char) b + "'");
                }
                continue;
            }
            current.write(b);
            if (current.size() > maxRecordBytes) {
                fail("Bad Request: Error processing message: a record is larger than the " + maxRecordBytes + " bytes the server accepts");
                continue;
            }
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{') {
                depth++;
            } else if (b == '}' && --depth == 0) {
                record(current.toByteArray());
                current.reset();
            }
        }
    }

    /** The request body ended: the response ends once every report is written. */
    void end() {
        ended = true;
        drain();
    }

    private void record(byte[] json) {
        CompletableFuture<ObjectNode> report;
        try {
            JsonNode node = Exchange.JSON.readTree(json);
            report = produce.produce(topic, node);
        } catch (IOException e) {
            report = CompletableFuture.failedFuture(HttpError.badRequest("Bad Request: " + Exchange.firstLine(e.getMessage())));
        }
        add(report);
    }

    private void fail(String message) {
        broken = true;
        add(CompletableFuture.failedFuture(HttpError.badRequest(message)));
        ended = true;
        drain();
    }

    private void add(CompletableFuture<ObjectNode> report) {
        reports.addLast(report);
        report.whenComplete((r, e) -> {
            if (ctx.executor().inEventLoop()) {
                drain();
            } else {
                ctx.executor().execute(this::drain);
            }
        });
    }

    /** Writes the reports that are done, in order; ends the response when the body has ended and all are written. */
    private void drain() {
        if (finished) {
            return;
        }
        boolean wrote = false;
        while (!reports.isEmpty() && reports.peekFirst().isDone()) {
            CompletableFuture<ObjectNode> head = reports.pollFirst();
            ObjectNode report;
            try {
                report = head.join();
            } catch (RuntimeException e) {
                HttpError error = KafkaErrors.toHttp(e);
                report = Exchange.JSON.createObjectNode().put("error_code", error.errorCode()).put("message", error.getMessage());
            }
            try {
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(Exchange.JSON.writeValueAsBytes(report))));
                wrote = true;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        if (ended && reports.isEmpty()) {
            finished = true;
            var done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            if (broken) {
                done.addListener(ChannelFutureListener.CLOSE); // the rest of the body cannot be read in step
            }
        } else if (wrote) {
            ctx.flush();
        }
    }
}
