package dev.brook.broker.network;

import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * Turns a response message into one size-prefixed Kafka frame: a list of parts (Netty buffers, and file regions
 * for records sent with sendfile) that together are exactly the frame, to be written in order.
 */
final class ResponseSerializer {
    private ResponseSerializer() {
    }

    static List<Object> serialize(ByteBufAllocator alloc, int correlationId, short headerVersion, ApiMessage body,
                                  short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, version);
        int total = size.totalSize();
        ByteBufWritable out = new ByteBufWritable(alloc, 4 + Math.min(total, 64 * 1024));
        boolean ok = false;
        try {
            out.writeInt(total);
            header.write(out, cache, headerVersion);
            body.write(out, cache, version);
            List<Object> parts = out.finish();
            long written = 0;
            for (Object p : parts) {
                written += p instanceof io.netty.buffer.ByteBuf b ? b.readableBytes() : ((io.netty.channel.FileRegion) p).count();
            }
            if (written != 4L + total) {
                parts.forEach(io.netty.util.ReferenceCountUtil::release);
                throw new IllegalStateException("serialized " + (written - 4) + " bytes, expected " + total);
            }
            ok = true;
            return parts;
        } finally {
            if (!ok) {
                out.release();
            }
        }
    }
}
