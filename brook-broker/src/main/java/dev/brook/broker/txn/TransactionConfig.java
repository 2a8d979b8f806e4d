package dev.brook.broker.txn;

/**
 * Transaction coordinator settings, named after Kafka's broker configs, with Kafka's defaults.
 *
 * @param maxTimeoutMs             {@code transaction.max.timeout.ms}: the longest {@code transaction.timeout.ms} a
 *                                 producer may ask for (15 minutes)
 * @param idExpirationMs           {@code transactional.id.expiration.ms}: a transactional id with no transaction this
 *                                 long is forgotten (7 days)
 * @param abortCheckIntervalMs     {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}: how often
 *                                 transactions past their timeout are looked for and aborted (10 s)
 * @param expiryCheckIntervalMs    {@code transaction.remove.expired.transaction.cleanup.interval.ms}: how often idle
 *                                 transactional ids are looked for (1 hour)
 * @param stateLogSegmentBytes     {@code transaction.state.log.segment.bytes} of {@code __transaction_state}
 * @param featureLevel             {@code brook.transaction.version}: the {@code transaction.version} feature level
 *                                 finalized in ApiVersions (2: Kafka 4.x clients use transactions v2, KIP-890; 0 or 1:
 *                                 they use the first generation, as older clients and librdkafka always do)
 */
public record TransactionConfig(long maxTimeoutMs, long idExpirationMs, long abortCheckIntervalMs, long expiryCheckIntervalMs,
                                int stateLogSegmentBytes, short featureLevel) {

    public static TransactionConfig defaults() {
        return new TransactionConfig(900_000, 7L * 24 * 3600 * 1000, 10_000, 3_600_000, 100 * 1024 * 1024, (short) 2);
    }

    /** Applies one Kafka-named key; false if the key is not a transaction setting. */
    public static boolean isKey(String key) {
        return switch (key) {
            case "transaction.max.timeout.ms", "transactional.id.expiration.ms",
                 "transaction.abort.timed.out.transaction.cleanup.interval.ms",
                 "transaction.remove.expired.transaction.cleanup.interval.ms", "transaction.state.log.segment.bytes",
                 "brook.transaction.version" -> true;
            default -> false;
        };
    }

    /** This config with {@code key} set to the already-parsed {@code value} (at least 1). */
    public TransactionConfig with(String key, long value) {
        return switch (key) {
            case "transaction.max.timeout.ms" -> new TransactionConfig(value, idExpirationMs, abortCheckIntervalMs, expiryCheckIntervalMs, stateLogSegmentBytes, featureLevel);
            case "transactional.id.expiration.ms" -> new TransactionConfig(maxTimeoutMs, value, abortCheckIntervalMs, expiryCheckIntervalMs, stateLogSegmentBytes, featureLevel);
            case "transaction.abort.timed.out.transaction.cleanup.interval.ms" -> new TransactionConfig(maxTimeoutMs, idExpirationMs, value, expiryCheckIntervalMs, stateLogSegmentBytes, featureLevel);
            case "transaction.remove.expired.transaction.cleanup.interval.ms" -> new TransactionConfig(maxTimeoutMs, idExpirationMs, abortCheckIntervalMs, value, stateLogSegmentBytes, featureLevel);
            case "transaction.state.log.segment.bytes" -> new TransactionConfig(maxTimeoutMs, idExpirationMs, abortCheckIntervalMs, expiryCheckIntervalMs, (int) Math.min(Integer.MAX_VALUE, value), featureLevel);
            case "brook.transaction.version" -> {
                if (value > 2) {
                    throw new IllegalArgumentException("brook.transaction.version is 0, 1 or 2");
                }
                yield new TransactionConfig(maxTimeoutMs, idExpirationMs, abortCheckIntervalMs, expiryCheckIntervalMs, stateLogSegmentBytes,
                        (short) value);
            }
            default -> throw new IllegalArgumentException(key);
        };
    }

    /** The settings as DescribeConfigs reports them. */
    public void describeInto(java.util.Map<String, String> m) {
        m.put("transaction.max.timeout.ms", String.valueOf(maxTimeoutMs));
        m.put("transactional.id.expiration.ms", String.valueOf(idExpirationMs));
        m.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", String.valueOf(abortCheckIntervalMs));
        m.put("transaction.remove.expired.transaction.cleanup.interval.ms", String.valueOf(expiryCheckIntervalMs));
        m.put("transaction.state.log.segment.bytes", String.valueOf(stateLogSegmentBytes));
        m.put("brook.transaction.version", String.valueOf(featureLevel));
    }
}
