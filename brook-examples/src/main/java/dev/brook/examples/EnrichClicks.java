package dev.brook.examples;

import dev.brook.examples.Events.Click;
import dev.brook.examples.Events.EnrichedClick;
import dev.brook.examples.Events.User;
import dev.brook.streams.Job;
import dev.brook.streams.Serdes;
import dev.brook.streams.Table;

/**
 * Clicks enriched with a users table: each click (keyed by user id) is joined with the user's current row from a
 * compacted {@code users} topic (keyed by user id, co-partitioned with the clicks). Clicks of unknown users pass
 * through with empty name and country (a left join).
 *
 * <pre>java -cp brook-examples/target/brook-examples.jar dev.brook.examples.EnrichClicks 127.0.0.1:9092</pre>
 */
public final class EnrichClicks {
    private EnrichClicks() {
    }

    public static Job job(String clicksTopic, String usersTopic, String resultTopic) {
        Job job = Job.named("enrich-clicks");
        Table<String, User> users = job.table(usersTopic, Serdes.json(User.class));
        job.source(clicksTopic, Serdes.json(Click.class))
                .leftJoin(users, (Click c, User u) -> new EnrichedClick(c.user(), u == null ? null : u.name(),
                        u == null ? null : u.country(), c.page(), c.time()))
                .to(resultTopic, Serdes.string(), Serdes.json(EnrichedClick.class));
        return job;
    }

    public static void main(String[] args) throws InterruptedException {
        Examples.run(job("clicks", "users", "clicks-enriched"), args);
    }
}
