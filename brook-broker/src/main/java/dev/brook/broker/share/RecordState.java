package dev.brook.broker.share;

/**
 * Where one record of a share-partition stands. The ids are KIP-932's, the ones the share-state log stores.
 * Acknowledged and archived are terminal: the start offset moves over them.
 */
public enum RecordState {
    /** Can be handed to the next fetch. */
    AVAILABLE(0),
    /** Locked by one member until it acknowledges, or its lock expires. */
    ACQUIRED(1),
    /** Accepted by a consumer: done. */
    ACKNOWLEDGED(2),
    /** Rejected, past the delivery limit, or an offset with no record to deliver (a gap or a control batch): done. */
    ARCHIVED(4);

    final byte id;

    RecordState(int id) {
        this.id = (byte) id;
    }

    boolean terminal() {
        return this == ACKNOWLEDGED || this == ARCHIVED;
    }

    static RecordState of(byte id) {
        return switch (id) {
            case 0 -> AVAILABLE;
            case 1 -> ACQUIRED;
            case 2 -> ACKNOWLEDGED;
            case 4 -> ARCHIVED;
            default -> throw new IllegalArgumentException("unknown record state " + id);
        };
    }
}
