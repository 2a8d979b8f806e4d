package dev.brook.broker.group;

/**
 * A committed consumer position.
 *
 * @param offset          the next offset to consume
 * @param leaderEpoch     the leader epoch the client saw, or -1
 * @param metadata        the client's metadata string, returned unchanged on fetch
 * @param commitTimestamp when it was committed (coordinator clock)
 */
public record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestamp) {
}
