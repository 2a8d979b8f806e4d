package dev.brook.examples;

import dev.brook.examples.Events.Click;
import dev.brook.streams.Job;
import dev.brook.streams.Serdes;
import dev.brook.streams.Watermarks;
import dev.brook.streams.Windows;
import java.time.Duration;

/**
 * Page views per page per minute, by the click's own time, tolerating clicks up to 5 s out of order and accepting
 * stragglers up to 10 s after a minute closed; later clicks go to {@code page-views-late}.
 *
 * <pre>java -cp brook-examples/target/brook-examples.jar dev.brook.examples.PageViews 127.0.0.1:9092</pre>
 */
public final class PageViews {
    private PageViews() {
    }

    public static Job job(String clicksTopic, String resultTopic) {
        Job job = Job.named("page-views").lateRecordsTo(resultTopic + "-late");
        job.source(clicksTopic, Serdes.json(Click.class))
                .withEventTime(Click::time, Watermarks.boundedOutOfOrderness(Duration.ofSeconds(5)))
                .keyBy(Click::page)
                .window(Windows.tumbling(Duration.ofMinutes(1)).allowedLateness(Duration.ofSeconds(10)))
                .count()
                .to(resultTopic, Serdes.windowedJson(), Serdes.json(Long.class)); // readable with kcat
        return job;
    }

    public static void main(String[] args) throws InterruptedException {
        Examples.run(job("clicks", "page-views-per-minute"), args);
    }
}
