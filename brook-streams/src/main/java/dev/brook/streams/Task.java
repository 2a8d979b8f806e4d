package dev.brook.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One partition of one sub-topology: the processors of every step, their state, and the watermark. Owned by one
 * thread (the runner's poll loop or the test driver); nothing in it is thread-safe.
 *
 * <h2>Watermarks</h2>
 * Each input partition has its own watermark. For a topic read from outside the job it is the largest event time
 * seen minus the source's out-of-orderness. For a repartition topic it is the minimum of the watermarks that the
 * upstream tasks wrote into it as markers, so event time survives the shuffle exactly. A partition (or an upstream
 * task) that delivered nothing for the idle timeout of wall-clock time is left out. The task's watermark is the
 * minimum over the rest, never moving backwards; when every input is idle it is the largest partition watermark.
 * The per-partition maxima are themselves state (store {@code watermarks}), so a restarted task judges lateness as
 * before.
 */
final class Task {
    private final Topology.Sub sub;
    final int partition;
    private final TaskOutput out;
    private final Clock wallClock;
    private final Map<String, Processor> sources = new HashMap<>();
    private final Map<Topology.Step, Processor> processors = new LinkedHashMap<>();
    /** Parents before children: the reverse of creation order, which is post-order. */
    private final List<Processor> watermarkOrder = new ArrayList<>();
    final List<Stateful> stores = new ArrayList<>();
    private final Map<String, Input> inputs = new LinkedHashMap<>();
    private final WatermarkStore watermarkStore;
    private long watermark = Long.MIN_VALUE;
    private boolean wasIdle;

    /** The progress of one input partition. */
    private static final class Input {
        final Topology.Source source;
        long maxEventTime = Long.MIN_VALUE;
        long lastActivity;
        final Map<Integer, long[]> origins = new HashMap<>(); // origin -> {watermark, idle ? 1 : 0}

        Input(Topology.Source source, long now) {
            this.source = source;
            this.lastActivity = now;
        }
    }

    Task(Topology.Sub sub, int partition, TaskOutput out, Clock wallClock) {
        this.sub = sub;
        this.partition = partition;
        this.out = out;
        this.wallClock = wallClock;
        long now = wallClock.millis();
        this.watermarkStore = new WatermarkStore(sub.name + "-watermarks");
        stores.add(watermarkStore);
        for (Topology.Source s : sub.sources) {
            sources.put(s.topic, processor(s));
            if (!s.isTable) {
                inputs.put(s.topic, new Input(s, now));
            }
        }
        watermarkOrder.addAll(processors.values());
        Collections.reverse(watermarkOrder);
    }

    Processor processor(Topology.Step step) {
        Processor p = processors.get(step);
        if (p == null) {
            List<Processor> next = new ArrayList<>();
            for (Topology.Step child : step.children) {
                next.add(processor(child));
            }
            p = step.create(this, next);
            processors.put(step, p);
            if (p instanceof Stateful s) {
                stores.add(s);
            }
        }
        return p;
    }

    Topology topology() {
        return sub.topology;
    }

    TaskOutput output() {
        return out;
    }

    String jobName() {
        return sub.topology.jobName;
    }

    long watermark() {
        return watermark;
    }

    /** One input record (not a watermark marker). */
    void process(String topic, byte[] key, byte[] value, long timestamp) {
        Processor p = sources.get(topic);
        if (p == null) {
            throw new IllegalArgumentException("task " + sub.name + "/" + partition + " does not read " + topic);
        }
        Input in = inputs.get(topic);
        if (in != null) {
            in.lastActivity = wallClock.millis();
        }
        ((Topology.SourceProcessor) p).ingest(key, value, timestamp, in == null ? null : eventTime -> observe(in, eventTime));
    }

    private void observe(Input in, long eventTime) {
        if (eventTime > in.maxEventTime) {
            in.maxEventTime = eventTime;
            watermarkStore.put(in.source.topic, eventTime);
        }
    }

    /** A watermark marker read from a repartition topic. */
    void processWatermark(String topic, int origin, long originWatermark, boolean idle) {
        Input in = inputs.get(topic);
        if (in == null) {
            return;
        }
        in.lastActivity = wallClock.millis();
        long[] o = in.origins.computeIfAbsent(origin, k -> new long[] {Long.MIN_VALUE, 0});
        o[0] = Math.max(o[0], originWatermark);
        o[1] = idle ? 1 : 0;
    }

    /** Recomputes the watermark (after records, markers, or wall-clock time passing) and tells every processor. */
    void advance() {
        long now = wallClock.millis();
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        boolean anyActive = false;
        for (Input in : inputs.values()) {
            long idleAfter = in.source.watermarks.idleMillis();
            boolean idle = now - in.lastActivity >= idleAfter;
            long wm;
            if (in.source.upstream != null) {
                // a repartition topic: the minimum over the upstream tasks' markers, skipping those that said idle
                int origins = out.partitionsOf(in.source.upstream);
                wm = Long.MAX_VALUE;
                boolean anyOrigin = false;
                long known = Long.MIN_VALUE;
                for (int o = 0; o < origins; o++) {
                    long[] st = in.origins.get(o);
                    if (st != null) {
                        known = Math.max(known, st[0]);
                    }
                    if (st == null || st[1] == 0) {
                        wm = Math.min(wm, st == null ? Long.MIN_VALUE : st[0]);
                        anyOrigin = true;
                    }
                }
                if (!anyOrigin) {
                    idle = true;
                    wm = known;
                }
            } else {
                wm = in.maxEventTime == Long.MIN_VALUE ? Long.MIN_VALUE : in.maxEventTime - in.source.watermarks.outOfOrderness().toMillis();
            }
            if (!idle) {
                anyActive = true;
                min = Math.min(min, wm);
            }
            max = Math.max(max, wm);
        }
        long next = anyActive ? min : max;
        boolean idleNow = !anyActive && !inputs.isEmpty();
        boolean idleChanged = idleNow != wasIdle;
        wasIdle = idleNow;
        if (next > watermark || idleChanged) {
            watermark = Math.max(watermark, next);
            // parents first, so results a step emits on this watermark reach a repartition step before its marker
            for (Processor p : watermarkOrder) {
                p.onWatermark(watermark);
            }
        }
    }

    /** True when every input partition is idle: repartition markers say so downstream. */
    boolean idle() {
        return wasIdle;
    }

    /** Writes every store's pending changelog records; the caller then flushes the producer and commits. */
    void flushState() {
        long now = wallClock.millis();
        for (Stateful s : stores) {
            s.flush(out, changelogTopic(s.store), partition, now);
        }
    }

    /** Before a commit: repartition steps repeat their watermark markers, for downstream tasks that moved. */
    void resendMarkers() {
        for (Processor p : watermarkOrder) {
            p.onCommit();
        }
    }

    String changelogTopic(String store) {
        return jobName() + "-" + store + "-changelog";
    }

    /** Replays one changelog record into the store it belongs to. */
    void restore(String changelogTopic, byte[] key, byte[] value) {
        for (Stateful s : stores) {
            if (changelogTopic(s.store).equals(changelogTopic)) {
                s.restore(key, value);
                return;
            }
        }
    }

    /**
     * The per-input-partition maxima of event time, durable so lateness survives a restart. Changelog record: key =
     * the input topic (UTF-8), value = 8 bytes maximum event time.
     */
    private final class WatermarkStore extends Stateful {
        WatermarkStore(String store) {
            super(store);
        }

        void put(String topic, long maxEventTime) {
            changed(topic.getBytes(StandardCharsets.UTF_8), ByteBuffer.allocate(8).putLong(maxEventTime).array());
        }

        @Override
        void restore(byte[] key, byte[] value) {
            Input in = inputs.get(new String(key, StandardCharsets.UTF_8));
            if (in != null && value != null) {
                in.maxEventTime = Math.max(in.maxEventTime, ByteBuffer.wrap(value).getLong());
            }
        }
    }
}
