package dev.brook.streams;

/**
 * Turns values of one type into bytes and back. A serde must round-trip: {@code deserialize(serialize(v))} equals
 * {@code v}. {@code null} is passed through as {@code null} by every serde in {@link Serdes} (a Kafka tombstone).
 */
public interface Serde<T> {
    byte[] serialize(T value);

    T deserialize(byte[] bytes);
}
