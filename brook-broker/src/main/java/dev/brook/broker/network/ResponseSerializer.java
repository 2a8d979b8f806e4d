package dev.brook.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/** Turns a response message into one size-prefixed Kafka frame in a single exactly-sized buffer. */
final class ResponseSerializer {
    private ResponseSerializer() {
    }

    static ByteBuf serialize(ByteBufAllocator alloc, int correlationId, short headerVersion, ApiMessage body,
                             short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, version);
        int total = size.totalSize();
        ByteBuf buf = alloc.directBuffer(4 + total, 4 + total);
        boolean ok = false;
        try {
            buf.writeInt(total);
            ByteBufWritable out = new ByteBufWritable(buf);
            header.write(out, cache, headerVersion);
            body.write(out, cache, version);
            if (buf.readableBytes() != 4 + total) {
                throw new IllegalStateException("serialized " + (buf.readableBytes() - 4) + " bytes, expected " + total);
            }
            ok = true;
            return buf;
        } finally {
            if (!ok) {
                buf.release();
            }
        }
    }
}
