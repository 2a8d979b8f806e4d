package dev.brook.broker.network;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.Writable;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Lets kafka-clients' generated message classes serialize straight into a Netty {@link ByteBuf}.
 *
 * <p>Records held in a segment file ({@link FileRecords}) are read from the page cache directly into the
 * buffer: one copy, no intermediate heap array. Used only on the connection's event loop.
 */
final class ByteBufWritable implements Writable {
    private final ByteBuf buf;

    ByteBufWritable(ByteBuf buf) {
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
            buf.ensureWritable(size);
            ByteBuffer target = buf.nioBuffer(buf.writerIndex(), size);
            try {
                file.readInto(target, 0);
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file, e);
            }
            buf.writerIndex(buf.writerIndex() + size);
        } else {
            throw new IllegalArgumentException("unsupported records type " + records.getClass());
        }
    }
}
