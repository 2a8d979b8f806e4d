package dev.brook.broker.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP listener speaking Kafka's framing: a 4-byte big-endian size, then the request. Uses the epoll
 * transport where available, NIO elsewhere; one event-loop thread per core handles many connections.
 */
public final class KafkaServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaServer.class);

    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Channel serverChannel;

    private KafkaServer(EventLoopGroup boss, EventLoopGroup workers, Channel channel) {
        this.bossGroup = boss;
        this.workerGroup = workers;
        this.serverChannel = channel;
    }

    /**
     * Loads Netty's native transport, initialises its default buffer allocator and builds one connection pipeline
     * in memory (Netty inspects each handler class's annotations by reflection the first time it sees it), without
     * opening anything.
     */
    public static void preload() {
        if (Epoll.isAvailable()) {
            EpollIoHandler.newFactory();
        }
        ByteBufAllocator.DEFAULT.directBuffer(64).release();
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                configure(ch.pipeline(), 1024, 60_000, null);
            }
        });
        channel.finishAndReleaseAll();
    }

    /**
     * Binds and starts serving.
     *
     * @param maxRequestBytes   frames larger than this close the connection
     * @param idleTimeoutMs     connections silent for this long are closed
     */
    public static KafkaServer start(String host, int port, int maxRequestBytes, long idleTimeoutMs,
                                    RequestDispatcher dispatcher) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(Math.max(1, Runtime.getRuntime().availableProcessors()), io);
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            configure(ch.pipeline(), maxRequestBytes, idleTimeoutMs, dispatcher);
                        }
                    });
            Channel channel = bootstrap.bind(host, port).sync().channel();
            log.debug("Listening on {} with the {} transport", channel.localAddress(), epoll ? "epoll" : "nio");
            return new KafkaServer(boss, workers, channel);
        } catch (RuntimeException | InterruptedException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** The per-connection pipeline: idle timeout, Kafka framing with a size limit, then the request handler. */
    static void configure(ChannelPipeline pipeline, int maxRequestBytes, long idleTimeoutMs, RequestDispatcher dispatcher) {
        pipeline.addLast("idle", new IdleStateHandler(0, 0, idleTimeoutMs, TimeUnit.MILLISECONDS))
                .addLast("frames", new LengthFieldBasedFrameDecoder((int) Math.min(Integer.MAX_VALUE, maxRequestBytes + 4L), 0, 4, 0, 4, true))
                .addLast("requests", new ConnectionHandler(dispatcher));
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting, closes every connection and waits for the event loops to finish. */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
