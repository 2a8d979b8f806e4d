package dev.brook.broker.share;

/** What a share consumer says of a record it holds, with the ids ShareFetch and ShareAcknowledge carry. */
public enum AckType {
    /** The offset holds no record the consumer could deliver (compacted away, a control record): archive it. */
    GAP(0),
    /** Processed: the record is done. */
    ACCEPT(1),
    /** Not processed: make it available again (or archive it at the delivery limit). */
    RELEASE(2),
    /** Cannot be processed: archive it (to the dead-letter topic, if the group has one). */
    REJECT(3),
    /** Still working on it: restart the lock (ShareFetch/ShareAcknowledge v2, with IsRenewAck). */
    RENEW(4);

    public final byte id;

    AckType(int id) {
        this.id = (byte) id;
    }

    /** The type for a wire id, or null for one Kafka does not define. */
    public static AckType of(byte id) {
        return id >= 0 && id < VALUES.length ? VALUES[id] : null;
    }

    private static final AckType[] VALUES = values();
}
