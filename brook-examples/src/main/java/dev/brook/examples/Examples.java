package dev.brook.examples;

import dev.brook.streams.Job;
import dev.brook.streams.JobRunner;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** Runs one example job until the process is stopped (Ctrl-C commits and leaves the group cleanly). */
final class Examples {
    private Examples() {
    }

    /**
     * {@code args[0]}: bootstrap servers, default 127.0.0.1:9092 (a {@code bin/brook server} on this machine); then
     * any number of {@code key=value} client or runner settings, e.g. {@code commit.interval.ms=500}.
     */
    static void run(Job job, String[] args) throws InterruptedException {
        String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrap);
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got " + args[i]);
            }
            config.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        JobRunner runner = JobRunner.start(job, config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runner.close();
            stopped.countDown();
        }));
        System.out.println("job " + job.name() + " running against " + bootstrap + "; Ctrl-C stops it");
        stopped.await();
    }
}
