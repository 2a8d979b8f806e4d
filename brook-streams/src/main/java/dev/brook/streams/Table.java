package dev.brook.streams;

/**
 * The latest value per key of a topic, for enriching a stream ({@link Stream#join(Table, java.util.function.BiFunction)}).
 * The table's topic and the stream must be co-partitioned (same partition count, keys partitioned alike, which
 * holds for records produced with Kafka's default partitioner); a stream whose key changed is repartitioned first.
 */
public final class Table<K, V> {
    final Job job;
    final Joins.TableStep rows;
    final int sub;
    final Serde<K> keySerde;
    final Serde<V> valueSerde;

    Table(Job job, Joins.TableStep rows, int sub, Serde<K> keySerde, Serde<V> valueSerde) {
        this.job = job;
        this.rows = rows;
        this.sub = sub;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
    }
}
