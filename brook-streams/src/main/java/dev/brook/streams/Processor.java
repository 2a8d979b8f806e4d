package dev.brook.streams;

/**
 * One step of a job inside one task: receives records in order, forwards to the steps after it. Owned by its task's
 * thread; never shared.
 */
interface Processor {
    void process(Object key, Object value, long timestamp);

    /** The task's watermark moved forward to {@code watermark}. */
    default void onWatermark(long watermark) {
    }

    /**
     * The runner finished a batch of input (one poll's records, or one record in the {@link TestDriver}): a step that
     * holds back progress messages until then sends them now.
     */
    default void onEndOfBatch() {
    }

    /** The task is about to commit: a step that tells others its progress says it again (for a new reader). */
    default void onCommit() {
    }
}
