package dev.brook.examples;

import dev.brook.streams.Job;
import dev.brook.streams.Serdes;
import dev.brook.streams.Windows;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Word count: lines of text in, per word the number of times it occurred in each minute out (event time = the
 * record timestamp). Result key: {@code {"key":"word","start":...,"end":...}}; value: the count.
 *
 * <pre>java -cp brook-examples/target/brook-examples.jar dev.brook.examples.WordCount 127.0.0.1:9092</pre>
 */
public final class WordCount {
    private WordCount() {
    }

    public static Job job(String linesTopic, String countsTopic) {
        Job job = Job.named("word-count");
        job.source(linesTopic, Serdes.string())
                .flatMap(line -> Arrays.asList(line.toLowerCase(Locale.ROOT).split("\\W+")), Serdes.string())
                .filter(word -> !word.isEmpty())
                .keyBy(word -> word)
                .window(Windows.tumbling(Duration.ofMinutes(1)))
                .count()
                .to(countsTopic, Serdes.windowedJson(), Serdes.json(Long.class)); // readable with kcat
        return job;
    }

    public static void main(String[] args) throws InterruptedException {
        Examples.run(job("text-lines", "word-counts"), args);
    }
}
