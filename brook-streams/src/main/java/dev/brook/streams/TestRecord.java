package dev.brook.streams;

/** A record as written to or read from a topic: key, value and timestamp (epoch milliseconds). */
public record TestRecord<K, V>(K key, V value, long timestamp) {
}
