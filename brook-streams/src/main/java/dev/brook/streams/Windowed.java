package dev.brook.streams;

/**
 * A key within one window: {@code start} inclusive, {@code end} exclusive, both epoch milliseconds. For a session
 * window, {@code start} is its first event and {@code end} one millisecond past its last.
 */
public record Windowed<K>(K key, long start, long end) {
}
