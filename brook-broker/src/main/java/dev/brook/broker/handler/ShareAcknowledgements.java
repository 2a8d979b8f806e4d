package dev.brook.broker.handler;

import dev.brook.broker.share.AckType;
import dev.brook.broker.share.SharePartition;
import java.util.List;

/** The checks ShareFetch and ShareAcknowledge make of acknowledgement batches before they reach a share-partition. */
final class ShareAcknowledgements {
    private ShareAcknowledgements() {
    }

    /** The wire ids as types; an id Kafka does not define becomes null (refused by {@link #validate}). */
    static AckType[] types(List<Byte> ids) {
        AckType[] out = new AckType[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = AckType.of(ids.get(i));
        }
        return out;
    }

    /** Why the batches are malformed (INVALID_REQUEST), or null if they are well formed. */
    static String validate(List<SharePartition.AckBatch> batches, boolean renew) {
        long previousLast = Long.MIN_VALUE;
        for (SharePartition.AckBatch b : batches) {
            if (b.first() > b.last()) {
                return "First offset " + b.first() + " is after last offset " + b.last() + ".";
            }
            if (b.first() <= previousLast) {
                return "Acknowledgement batches must be in order and must not overlap.";
            }
            previousLast = b.last();
            if (b.types().length == 0) {
                return "AcknowledgeTypes must not be empty.";
            }
            if (b.types().length > 1 && b.types().length != b.last() - b.first() + 1) {
                return "AcknowledgeTypes must have one type, or one per offset from " + b.first() + " to " + b.last() + ".";
            }
            for (AckType t : b.types()) {
                if (t == null) {
                    return "Unknown acknowledge type.";
                }
                if (t == AckType.RENEW && !renew) {
                    return "RENEW is only allowed in a request with IsRenewAck set.";
                }
            }
        }
        return null;
    }
}
