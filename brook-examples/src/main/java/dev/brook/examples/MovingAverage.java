package dev.brook.examples;

import dev.brook.examples.Events.Reading;
import dev.brook.streams.Job;
import dev.brook.streams.Serdes;
import dev.brook.streams.Watermarks;
import dev.brook.streams.Windows;
import java.time.Duration;

/**
 * A moving average per sensor: the mean over the last 5 minutes, recomputed every minute (hopping windows of 5
 * minutes advancing by 1).
 *
 * <pre>java -cp brook-examples/target/brook-examples.jar dev.brook.examples.MovingAverage 127.0.0.1:9092</pre>
 */
public final class MovingAverage {
    private MovingAverage() {
    }

    public static Job job(String readingsTopic, String resultTopic) {
        Job job = Job.named("moving-average");
        job.source(readingsTopic, Serdes.json(Reading.class))
                .withEventTime(Reading::time, Watermarks.boundedOutOfOrderness(Duration.ofSeconds(5)))
                .keyBy(Reading::sensor)
                .window(Windows.hopping(Duration.ofMinutes(5), Duration.ofMinutes(1)))
                .average(Reading::value)
                .to(resultTopic);
        return job;
    }

    public static void main(String[] args) throws InterruptedException {
        Examples.run(job("sensor-readings", "sensor-moving-average"), args);
    }
}
