package dev.brook.streams;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The serdes jobs use: UTF-8 strings, raw bytes, longs and doubles (8 bytes big-endian, as kafka-clients'
 * {@code LongSerializer}/{@code DoubleSerializer} write them, so other Kafka tools read them), JSON through Jackson,
 * and {@link Windowed} keys.
 */
public final class Serdes {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Serdes() {
    }

    public static Serde<String> string() {
        return new Serde<>() {
            @Override
            public byte[] serialize(String v) {
                return v == null ? null : v.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String deserialize(byte[] b) {
                return b == null ? null : new String(b, StandardCharsets.UTF_8);
            }
        };
    }

    public static Serde<byte[]> bytes() {
        return new Serde<>() {
            @Override
            public byte[] serialize(byte[] v) {
                return v;
            }

            @Override
            public byte[] deserialize(byte[] b) {
                return b;
            }
        };
    }

    public static Serde<Long> longs() {
        return new Serde<>() {
            @Override
            public byte[] serialize(Long v) {
                return v == null ? null : ByteBuffer.allocate(8).putLong(v).array();
            }

            @Override
            public Long deserialize(byte[] b) {
                if (b == null) {
                    return null;
                }
                if (b.length != 8) {
                    throw new IllegalArgumentException("a long is 8 bytes, got " + b.length);
                }
                return ByteBuffer.wrap(b).getLong();
            }
        };
    }

    public static Serde<Double> doubles() {
        return new Serde<>() {
            @Override
            public byte[] serialize(Double v) {
                return v == null ? null : ByteBuffer.allocate(8).putDouble(v).array();
            }

            @Override
            public Double deserialize(byte[] b) {
                if (b == null) {
                    return null;
                }
                if (b.length != 8) {
                    throw new IllegalArgumentException("a double is 8 bytes, got " + b.length);
                }
                return ByteBuffer.wrap(b).getDouble();
            }
        };
    }

    /** JSON via Jackson; records and plain classes alike. Unknown properties are ignored when reading. */
    public static <T> Serde<T> json(Class<T> type) {
        return new Serde<>() {
            @Override
            public byte[] serialize(T v) {
                if (v == null) {
                    return null;
                }
                try {
                    return JSON.writeValueAsBytes(v);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + type.getSimpleName() + " as JSON", e);
                }
            }

            @Override
            public T deserialize(byte[] b) {
                if (b == null) {
                    return null;
                }
                try {
                    return JSON.readValue(b, type);
                } catch (IOException e) {
                    throw new UncheckedIOException("not a JSON " + type.getSimpleName() + ": " + e.getMessage(), e);
                }
            }
        };
    }

    /**
     * A window key: 8 bytes start, 8 bytes end (big-endian epoch milliseconds), then the key's bytes. Readable by any
     * consumer that knows the layout; {@link #windowedJson} writes a self-describing form instead.
     */
    public static <K> Serde<Windowed<K>> windowed(Serde<K> keySerde) {
        return new Serde<>() {
            @Override
            public byte[] serialize(Windowed<K> w) {
                if (w == null) {
                    return null;
                }
                byte[] k = keySerde.serialize(w.key());
                ByteBuffer b = ByteBuffer.allocate(16 + (k == null ? 0 : k.length)).putLong(w.start()).putLong(w.end());
                if (k != null) {
                    b.put(k);
                }
                return b.array();
            }

            @Override
            public Windowed<K> deserialize(byte[] b) {
                if (b == null) {
                    return null;
                }
                ByteBuffer buf = ByteBuffer.wrap(b);
                long start = buf.getLong();
                long end = buf.getLong();
                byte[] k = new byte[buf.remaining()];
                buf.get(k);
                return new Windowed<>(keySerde.deserialize(k), start, end);
            }
        };
    }

    /** A window key as JSON: {@code {"key":...,"start":...,"end":...}}. */
    @SuppressWarnings("unchecked")
    public static <K> Serde<Windowed<K>> windowedJson() {
        return (Serde<Windowed<K>>) (Serde<?>) json(Windowed.class);
    }

    /** Any value as JSON for writing; reading gives Jackson's natural types (maps, lists, numbers, strings). */
    @SuppressWarnings("unchecked")
    public static <T> Serde<T> anyJson() {
        return (Serde<T>) json(Object.class);
    }
}
