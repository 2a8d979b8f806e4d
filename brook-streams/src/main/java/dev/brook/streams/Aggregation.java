package dev.brook.streams;

import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How a window's records fold into a result: start from {@code init}, {@code add} each record, and (for session
 * windows, which merge) {@code merge} two partial results. {@code result} turns the accumulator into what is emitted.
 */
record Aggregation<V, A, R>(Supplier<A> init, BiFunction<A, V, A> add, BinaryOperator<A> merge, Function<A, R> result,
        Serde<A> accSerde) {
}
