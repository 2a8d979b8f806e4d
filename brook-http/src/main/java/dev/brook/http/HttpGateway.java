package dev.brook.http;

import dev.brook.broker.BrookBroker;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brook's HTTP listener, beside the Kafka one in the same process: REST compatible with the Confluent REST Proxy v3
 * (clusters, topics, topic configs, partitions, produce, streamed produce), Server-Sent Events of a topic's records,
 * and WebSockets that subscribe, unsubscribe and publish ({@link WebSocketSession}).
 *
 * <pre>
 *  socket ─▶ HttpServerCodec ─▶ HttpConnection ─▶ Router ─▶ ClusterResource / TopicResource (via an Admin client)
 *                                 (body limit,                ProduceResource (appends in process)
 *                                  one request at a time)     EventStream, WebSocketSession (RecordFollower: reads the
 *                                                             log in process, woken on append)
 * </pre>
 *
 * <p>Its own event loops, so a slow HTTP client never delays a Kafka request. Topic administration goes through a
 * kafka-clients {@link Admin} connected to the broker's own Kafka listener, so that validation, defaults and (later)
 * authorization are exactly the Kafka protocol's; records are appended and read in process, which is what keeps
 * produce and event-stream latency low.
 */
public final class HttpGateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpGateway.class);

    private final BrookBroker broker;
    private final HttpLimits limits;
    private final AllowedOrigins origins;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel channel;
    private final Router router;
    private final AtomicInteger streams = new AtomicInteger();
    private final java.util.Set<GroupEventStream> groupStreams = new java.util.HashSet<>();
    private boolean closing; // guarded by groupStreams
    private ProduceResource produce;
    private RequestReplyResource requests;
    private Webhooks webhooks;
    private volatile Admin admin;

    private HttpGateway(BrookBroker broker, HttpLimits limits, AllowedOrigins origins, EventLoopGroup boss, EventLoopGroup workers,
                        Channel channel, Router router) {
        this.broker = broker;
        this.limits = limits;
        this.origins = origins;
        this.boss = boss;
        this.workers = workers;
        this.channel = channel;
        this.router = router;
    }

    /**
     * Binds {@code host:port} (0 for any free port) and starts serving {@code broker}.
     *
     * @throws IllegalStateException if the address cannot be bound
     */
    public static HttpGateway start(BrookBroker broker, String host, int port, HttpLimits limits) {
        return start(broker, host, port, limits, AllowedOrigins.none());
    }

    /**
     * Binds {@code host:port} (0 for any free port) and starts serving {@code broker} to pages of the given origins too.
     *
     * @throws IllegalStateException if the address cannot be bound
     */
    public static HttpGateway start(BrookBroker broker, String host, int port, HttpLimits limits, AllowedOrigins origins) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(Math.max(1, Runtime.getRuntime().availableProcessors()), io);
        Router router = new Router();
        HttpGateway[] self = new HttpGateway[1];
        try {
            Channel channel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                            new WriteBufferWaterMark(limits.streamBufferBytes() / 2, limits.streamBufferBytes()))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast("http", new HttpServerCodec(8192, 16 * 1024, 64 * 1024));
                            if (origins.any()) {
                                ch.pipeline().addLast("cors", new io.netty.handler.codec.http.cors.CorsHandler(origins.corsConfig()));
                            }
                            ch.pipeline().addLast("requests", new HttpConnection(self[0]));
                        }
                    })
                    .bind(host, port).syncUninterruptibly().channel();
            HttpGateway gateway = new HttpGateway(broker, limits, origins, boss, workers, channel, router);
            self[0] = gateway;
            gateway.routes();
            gateway.webhooks.start();
            log.info("HTTP gateway listening on {}", channel.localAddress());
            return gateway;
        } catch (RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IllegalStateException("cannot listen for HTTP on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private void routes() {
        ClusterResource clusters = new ClusterResource(this);
        TopicResource topics = new TopicResource(this);
        produce = new ProduceResource(this);
        EventStreams events = new EventStreams(this);
        StaticPages pages = new StaticPages();
        requests = new RequestReplyResource(this);
        webhooks = new Webhooks(this);
        String cluster = "/v3/clusters/{cluster_id}";
        String topic = cluster + "/topics/{topic_name}";
        router.add(HttpMethod.GET, "/v3/clusters", clusters::list)
                .add(HttpMethod.GET, cluster, clusters::get)
                .add(HttpMethod.GET, cluster + "/topics", topics::list)
                .add(HttpMethod.POST, cluster + "/topics", topics::create)
                .add(HttpMethod.GET, topic, topics::get)
                .add(HttpMethod.PATCH, topic, topics::addPartitions)
                .add(HttpMethod.DELETE, topic, topics::delete)
                .add(HttpMethod.GET, topic + "/configs", topics::configs)
                .add(HttpMethod.POST, topic + "/configs:alter", topics::alterConfigs)
                .add(HttpMethod.GET, topic + "/configs/{name}", topics::config)
                .add(HttpMethod.PUT, topic + "/configs/{name}", topics::setConfig)
                .add(HttpMethod.DELETE, topic + "/configs/{name}", topics::resetConfig)
                .add(HttpMethod.GET, topic + "/partitions", topics::partitions)
                .add(HttpMethod.GET, topic + "/partitions/{partition_id}", topics::partition)
                .add(HttpMethod.POST, topic + "/records", produce::produce)
                .add(HttpMethod.GET, "/events/{topic_name}", events::open)
                .add(HttpMethod.GET, "/ws", x -> WebSocketSession.open(this, x))
                .add(HttpMethod.GET, "/tail", pages::tail)
                .add(HttpMethod.POST, "/request/{topic_name}", requests::request)
                .add(HttpMethod.POST, "/webhooks", webhooks::create)
                .add(HttpMethod.GET, "/webhooks", webhooks::list)
                .add(HttpMethod.GET, "/webhooks/{name}", webhooks::get)
                .add(HttpMethod.DELETE, "/webhooks/{name}", webhooks::delete)
                .add(HttpMethod.GET, "/v3/clusters/{cluster_id}/topics/{topic_name}/events", events::open);
    }

    ProduceResource produce() {
        return produce;
    }

    /** A streamed produce on the exchange's connection: records are handed to it as body chunks arrive. */
    ProduceStream produceStream(Exchange exchange) {
        return produce.stream(exchange);
    }

    BrookBroker broker() {
        return broker;
    }

    HttpLimits limits() {
        return limits;
    }

    AllowedOrigins origins() {
        return origins;
    }

    Router router() {
        return router;
    }

    /** The cluster id clients see, the same as the Kafka listener's. */
    String clusterId() {
        return broker.node().identity().clusterId();
    }

    /** An Admin client on the broker's own Kafka listener, created on first use. */
    Admin admin() {
        Admin a = admin;
        if (a == null) {
            synchronized (this) {
                a = admin;
                if (a == null) {
                    a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                            AdminClientConfig.CLIENT_ID_CONFIG, "brook-http-gateway",
                            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000,
                            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
                    admin = a;
                }
            }
        }
        return a;
    }

    /** Counts an event stream in; false when {@link HttpLimits#maxStreams} are open already. */
    boolean openStream() {
        if (streams.incrementAndGet() > limits.maxStreams()) {
            streams.decrementAndGet();
            return false;
        }
        return true;
    }

    void closeStream() {
        streams.decrementAndGet();
    }

    /**
     * Counts in an event stream that is a consumer-group member, made by {@code make}, against both
     * {@link HttpLimits#maxStreams} and {@link HttpLimits#maxGroupStreams}.
     *
     * @throws HttpError 503 when either limit is reached
     */
    GroupEventStream openGroupStream(java.util.function.Supplier<GroupEventStream> make) {
        synchronized (groupStreams) {
            if (closing) {
                throw new HttpError(io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE, 50301, "the gateway is shutting down");
            }
            if (groupStreams.size() >= limits.maxGroupStreams()) {
                throw new HttpError(io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE, 50301, "this server already serves "
                        + limits.maxGroupStreams() + " event streams in consumer groups (brook.http.max.group.streams)");
            }
            if (!openStream()) {
                throw new HttpError(io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE, 50301, "this server already serves "
                        + limits.maxStreams() + " event streams (brook.http.max.streams)");
            }
            GroupEventStream stream;
            try {
                stream = make.get();
            } catch (RuntimeException e) {
                closeStream();
                throw e;
            }
            groupStreams.add(stream);
            return stream;
        }
    }

    void closeGroupStream(GroupEventStream stream) {
        synchronized (groupStreams) {
            if (groupStreams.remove(stream)) {
                closeStream();
            }
        }
    }

    /** Event streams open now. */
    public int openStreams() {
        return streams.get();
    }

    /** Group members commit what they delivered and leave their groups while the broker is still there (7 s at most). */
    private void stopGroupStreams() {
        List<GroupEventStream> open;
        synchronized (groupStreams) {
            closing = true;
            open = new ArrayList<>(groupStreams);
        }
        open.forEach(GroupEventStream::stop);
        long deadline = System.currentTimeMillis() + 7_000;
        try {
            for (GroupEventStream s : open) {
                s.join(Math.max(1, deadline - System.currentTimeMillis()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops accepting, closes every connection (event streams included) and the Admin client. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        stopGroupStreams();
        if (requests != null) {
            requests.close();
        }
        if (webhooks != null) {
            webhooks.close();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        Admin a = admin;
        if (a != null) {
            a.close(java.time.Duration.ofSeconds(2));
        }
    }
}
