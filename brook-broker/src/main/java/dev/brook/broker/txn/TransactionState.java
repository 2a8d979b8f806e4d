package dev.brook.broker.txn;

/**
 * Where a transactional id's current transaction is, with the names Kafka's DescribeTransactions and ListTransactions
 * report (and TransactionsCommand prints).
 *
 * <pre>
 *  Empty ──AddPartitions──▶ Ongoing ──EndTxn(commit)──▶ PrepareCommit ──markers written──▶ CompleteCommit
 *    ▲                        │    └──EndTxn(abort), timeout, fencing──▶ PrepareAbort ──markers──▶ CompleteAbort
 *    └──── InitProducerId ◀───┴────────── (from Empty or Complete*: the next transaction) ◀──────────┘
 * </pre>
 * Dead: the id expired ({@code transactional.id.expiration.ms}) and is being forgotten.
 */
public enum TransactionState {
    EMPTY("Empty", 0),
    ONGOING("Ongoing", 1),
    PREPARE_COMMIT("PrepareCommit", 2),
    PREPARE_ABORT("PrepareAbort", 3),
    COMPLETE_COMMIT("CompleteCommit", 4),
    COMPLETE_ABORT("CompleteAbort", 5),
    DEAD("Dead", 6),
    PREPARE_EPOCH_FENCE("PrepareEpochFence", 7);

    private final String kafkaName;
    final byte id;

    TransactionState(String kafkaName, int id) {
        this.kafkaName = kafkaName;
        this.id = (byte) id;
    }

    /** The name Kafka's APIs use, such as {@code "Ongoing"}. */
    public String kafkaName() {
        return kafkaName;
    }

    static TransactionState byId(byte id) {
        for (TransactionState s : values()) {
            if (s.id == id) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown transaction state " + id);
    }

    /** The state named {@code name} as Kafka spells it (case-insensitive), or null. */
    public static TransactionState byKafkaName(String name) {
        for (TransactionState s : values()) {
            if (s.kafkaName.equalsIgnoreCase(name)) {
                return s;
            }
        }
        return null;
    }

    boolean preparing() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT || this == PREPARE_EPOCH_FENCE;
    }

    boolean complete() {
        return this == COMPLETE_COMMIT || this == COMPLETE_ABORT || this == EMPTY;
    }
}
