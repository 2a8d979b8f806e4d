package dev.brook.examples;

import dev.brook.examples.Events.Click;
import dev.brook.streams.Job;
import dev.brook.streams.Serdes;
import dev.brook.streams.Watermarks;
import dev.brook.streams.Windows;
import java.time.Duration;

/**
 * User sessions: a user's clicks with less than 30 minutes between them form one session; for each session, written
 * when it ends, the number of clicks. Result key: the user with the session's start and end (last click + 1 ms).
 *
 * <pre>java -cp brook-examples/target/brook-examples.jar dev.brook.examples.UserSessions 127.0.0.1:9092</pre>
 */
public final class UserSessions {
    private UserSessions() {
    }

    public static Job job(String clicksTopic, String resultTopic) {
        Job job = Job.named("user-sessions");
        job.source(clicksTopic, Serdes.json(Click.class))
                .withEventTime(Click::time, Watermarks.boundedOutOfOrderness(Duration.ofSeconds(5)))
                .keyBy(Click::user)
                .window(Windows.session(Duration.ofMinutes(30)))
                .count()
                .to(resultTopic, Serdes.windowedJson(), Serdes.json(Long.class)); // readable with kcat
        return job;
    }

    public static void main(String[] args) throws InterruptedException {
        Examples.run(job("clicks", "user-sessions"), args);
    }
}
