package dev.brook.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultFileRegion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Lets kafka-clients' generated message classes serialize straight into Netty buffers, and sends records that
 * live in a segment file without copying them: each {@link FileRecords} slice of at least
 * {@link #ZERO_COPY_MIN_BYTES} becomes a {@link DefaultFileRegion}, which the epoll transport sends with
 * {@code sendfile} from the page cache. The response is then a list of parts, buffers and file regions, written
 * in order. The region opens the segment file by name when it is sent and closes its own descriptor afterwards, so
 * the log's file channel is never touched. Smaller slices are copied (a file region costs an open and a syscall).
 *
 * <p>Used only on the connection's event loop.
 */
final class ByteBufWritable implements Writable {
    static final int ZERO_COPY_MIN_BYTES = 32 * 1024;

    private final ByteBufAllocator alloc;
    private final List<Object> parts = new ArrayList<>(3);
    private ByteBuf buf;

    ByteBufWritable(ByteBufAllocator alloc, int initialCapacity) {
        this.alloc = alloc;
        this.buf = alloc.directBuffer(initialCapacity);
    }

    /** For tests and small messages: everything in one buffer. */
    ByteBufWritable(ByteBuf buf) {
        this.alloc = null;
        this.buf = buf;
    }

    @Override
    public void writeByte(byte val) {
        buf.writeByte(val);
    }

    @Override
    public void writeShort(short val) {
        buf.writeShort(val);
    }

    @Override
    public void writeInt(int val) {
        buf.writeInt(val);
    }

    @Override
    public void writeLong(long val) {
        buf.writeLong(val);
    }

    @Override
    public void writeDouble(double val) {
        buf.writeDouble(val);
    }

    @Override
    public void writeByteArray(byte[] arr) {
        buf.writeBytes(arr);
    }

    @Override
    public void writeUnsignedVarint(int i) {
        while ((i & 0xffffff80) != 0) {
            buf.writeByte((byte) ((i & 0x7f) | 0x80));
            i >>>= 7;
        }
        buf.writeByte((byte) i);
    }

    @Override
    public void writeByteBuffer(ByteBuffer src) {
        buf.writeBytes(src.duplicate());
    }

    @Override
    public void writeVarint(int i) {
        writeUnsignedVarint((i << 1) ^ (i >> 31));
    }

    @Override
    public void writeVarlong(long i) {
        long v = (i << 1) ^ (i >> 63);
        while ((v & 0xffffffffffffff80L) != 0L) {
            buf.writeByte((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        buf.writeByte((byte) v);
    }

    @Override
    public void writeRecords(BaseRecords records) {
        if (records instanceof MemoryRecords memory) {
            buf.writeBytes(memory.buffer().duplicate());
        } else if (records instanceof FileRecords file) {
            int size = file.sizeInBytes();
            if (size >= ZERO_COPY_MIN_BYTES && alloc != null) {
                Position where = new Position();
                try {
                    file.writeTo(where, 0, size);
                } catch (IOException e) {
                    throw new UncheckedIOException("locating " + file, e);
                }
                parts.add(buf);
                parts.add(new DefaultFileRegion(file.file(), where.position, where.count));
                buf = alloc.directBuffer(64);
                return;
            }
            buf.ensureWritable(size);
            ByteBuffer target = buf.nioBuffer(buf.writerIndex(), size);
            try {
                file.readInto(target, 0);
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file, e);
            }
            if (target.remaining() != size) { // readInto flips: a short read means the segment was deleted (truncated)
                throw new UncheckedIOException(new IOException("segment deleted while reading " + file));
            }
            buf.writerIndex(buf.writerIndex() + size);
        } else {
            throw new IllegalArgumentException("unsupported records type " + records.getClass());
        }
    }

    /** The response so far: buffers and file regions in order. The caller owns them. */
    List<Object> finish() {
        parts.add(buf);
        buf = null;
        return parts;
    }

    /** Releases everything produced so far (on a failed serialization). */
    void release() {
        for (Object p : parts) {
            io.netty.util.ReferenceCountUtil.release(p);
        }
        if (buf != null) {
            buf.release();
        }
    }

    /** Learns where in its file a slice lives: FileRecords hands its absolute position to transferFrom. */
    private static final class Position implements TransferableChannel {
        long position;
        long count;

        @Override
        public long transferFrom(FileChannel channel, long position, long count) {
            this.position = position;
            this.count = count;
            return count;
        }

        @Override
        public boolean hasPendingWrites() {
            return false;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
