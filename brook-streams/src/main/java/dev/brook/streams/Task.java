package dev.brook.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
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
 * task) that delivered nothing for the idle timeout of wall-clock time, and whose reader knows it has read all there
 * is ({@link TaskOutput#caughtUp}), is left out. The task's watermark is the
 * minimum over the rest, never moving backwards; when every input is idle it is the largest partition watermark.
 * The per-partition maxima are themselves state (store {@code watermarks}), so a restarted task judges lateness as
 * before.
 *
 * <h2>Changelog and checkpoints</h2>
 * All stores of a task share one changelog partition: partition {@code p} of {@code <job>-<sub>-changelog}
 * (compacted). Record key = 2 bytes store index (creation order, fixed by the job) + the store's own key; value =
 * the store's bytes, {@code null} for a deletion. At each commit the task writes its changed entries and then a
 * checkpoint record, key {@code FF FF}, value = the input offsets that state reflects. Because one partition keeps
 * order, a restore applies exactly the changes up to the last checkpoint and resumes input from its offsets: the
 * state counts each input record once even when the process died halfway through writing a flush.
 */
final class Task {
    final Topology.Sub sub;
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
    private Map<String, Long> checkpointed = Map.of();
    private final SequenceStore sequences;
    private final Map<String, Integer> topicIndex = new HashMap<>();
    /** The input record being processed: its offset (-1: none), its topic's index, how many records it caused. */
    private long current = -1;
    private int currentTopic;
    private int caused;
    static final int SEQUENCE_BYTES = 18;
    /** The checkpoint's changelog key: no store has index 0xFFFF. */
    static final byte[] CHECKPOINT_KEY = {(byte) 0xFF, (byte) 0xFF};

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
        this.sequences = new SequenceStore(sub.name + "-sequences");
        stores.add(sequences);
        for (Topology.Source s : sub.sources) {
            topicIndex.put(s.topic, topicIndex.size());
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

    /** One input record (not a watermark marker), without an offset (the test driver). */
    void process(String topic, byte[] key, byte[] value, long timestamp) {
        process(topic, -1, key, value, timestamp);
    }

    /**
     * One input record at {@code offset} of its partition, then the watermark update it causes. What it makes the task
     * write to repartition topics carries a {@link #sequence} derived from the offset.
     */
    void processAndAdvance(String topic, long offset, byte[] key, byte[] value, long timestamp) {
        process(topic, offset, key, value, timestamp);
        advance();
        current = -1;
    }

    /**
     * True when a record of repartition topic {@code topic} with {@code sequence} was processed before: a restarted
     * upstream task writing again what it wrote after its last checkpoint. Records it the first time.
     */
    boolean duplicate(String topic, byte[] sequence) {
        return sequences.seenBefore(topic, sequence);
    }

    /**
     * The sequence of the next repartition record this task writes, {@code null} when not caused by an input record
     * with an offset: 4 bytes this task's partition (the origin), 2 bytes the input topic's index in the
     * sub-topology, 8 bytes its offset, 4 bytes the record's index among what that input record caused. A replay of
     * the same input produces the same sequences, whichever order the inputs interleave in.
     */
    byte[] sequence() {
        if (current < 0) {
            return null;
        }
        return ByteBuffer.allocate(SEQUENCE_BYTES).putInt(partition).putShort((short) currentTopic).putLong(current).putInt(caused++).array();
    }

    private void process(String topic, long offset, byte[] key, byte[] value, long timestamp) {
        Processor p = sources.get(topic);
        if (p == null) {
            throw new IllegalArgumentException("task " + sub.name + "/" + partition + " does not read " + topic);
        }
        Input in = inputs.get(topic);
        if (in != null) {
            in.lastActivity = wallClock.millis();
        }
        current = offset;
        currentTopic = topicIndex.get(topic);
        caused = 0;
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
            boolean idle = now - in.lastActivity >= idleAfter && out.caughtUp(in.source.topic, partition);
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

    /**
     * Writes every store's pending changes to the changelog, then, when {@code offsets} (input topic to the next
     * offset to read) differ from the last checkpoint, a checkpoint record. The caller then flushes the producer and
     * commits.
     */
    void flushState(Map<String, Long> offsets) {
        long now = wallClock.millis();
        String topic = changelogTopic();
        int written = 0;
        for (int i = 0; i < stores.size(); i++) {
            written += stores.get(i).flush(out, topic, partition, storePrefix(i), now);
        }
        if (offsets != null && (written > 0 || !offsets.equals(checkpointed))) {
            out.send(topic, partition, CHECKPOINT_KEY, encodeOffsets(offsets), now);
            checkpointed = Map.copyOf(offsets);
        }
    }

    /** After a batch of input: repartition steps send the watermark markers the batch moved. */
    void endOfBatch() {
        for (Processor p : watermarkOrder) {
            p.onEndOfBatch();
        }
    }

    /** Before a commit: repartition steps repeat their watermark markers, for downstream tasks that moved. */
    void resendMarkers() {
        for (Processor p : watermarkOrder) {
            p.onCommit();
        }
    }

    String changelogTopic() {
        return sub.changelogTopic();
    }

    /** Applies one changelog record (not a checkpoint) to the store it belongs to; see {@link ChangelogRestore}. */
    void restoreRecord(byte[] changelogKey, byte[] value) {
        storeOf(changelogKey).restore(Stateful.suffix(changelogKey, 2), value);
    }

    /**
     * Marks a key an unfinished flush wrote as changed to {@code value}, its value at the last checkpoint (null: none),
     * so the next flush writes that again.
     */
    void rewriteAtNextFlush(byte[] changelogKey, byte[] value) {
        storeOf(changelogKey).changed(Stateful.suffix(changelogKey, 2), value);
    }

    /** Takes the restored checkpoint as this task's last; returns its input offsets. */
    Map<String, Long> restoredCheckpoint(byte[] checkpointValue) {
        checkpointed = decodeOffsets(checkpointValue);
        return checkpointed;
    }

    private Stateful storeOf(byte[] changelogKey) {
        return stores.get(ByteBuffer.wrap(changelogKey).getShort());
    }

    private static byte[] storePrefix(int store) {
        return ByteBuffer.allocate(2).putShort((short) store).array();
    }

    /** Checkpoint value: for each input topic, 2 bytes name length, the name (UTF-8), 8 bytes offset. */
    private static byte[] encodeOffsets(Map<String, Long> offsets) {
        int size = 0;
        for (String t : offsets.keySet()) {
            size += 2 + t.getBytes(StandardCharsets.UTF_8).length + 8;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        offsets.forEach((t, o) -> {
            byte[] name = t.getBytes(StandardCharsets.UTF_8);
            b.putShort((short) name.length).put(name).putLong(o);
        });
        return b.array();
    }

    private static Map<String, Long> decodeOffsets(byte[] value) {
        Map<String, Long> offsets = new HashMap<>();
        ByteBuffer b = ByteBuffer.wrap(value);
        while (b.hasRemaining()) {
            byte[] name = new byte[b.getShort()];
            b.get(name);
            offsets.put(new String(name, StandardCharsets.UTF_8), b.getLong());
        }
        return offsets;
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

    /**
     * Per repartition topic and upstream (origin, input topic): the highest sequence processed. Changelog record:
     * key = the topic (UTF-8) + 6 bytes origin and input topic index, value = 12 bytes offset and index.
     */
    private static final class SequenceStore extends Stateful {
        private final Map<ByteBuffer, long[]> highest = new HashMap<>();

        SequenceStore(String store) {
            super(store);
        }

        boolean seenBefore(String topic, byte[] sequence) {
            ByteBuffer seq = ByteBuffer.wrap(sequence);
            byte[] key = concat(topic.getBytes(StandardCharsets.UTF_8), Arrays.copyOfRange(sequence, 0, 6));
            long offset = seq.getLong(6);
            int index = seq.getInt(14);
            long[] h = highest.get(ByteBuffer.wrap(key));
            if (h != null && (offset < h[0] || offset == h[0] && index <= h[1])) {
                return true;
            }
            highest.put(ByteBuffer.wrap(key), new long[] {offset, index});
            changed(key, Arrays.copyOfRange(sequence, 6, SEQUENCE_BYTES));
            return false;
        }

        @Override
        void restore(byte[] key, byte[] value) {
            if (value == null) {
                highest.remove(ByteBuffer.wrap(key));
            } else {
                ByteBuffer v = ByteBuffer.wrap(value);
                highest.put(ByteBuffer.wrap(key), new long[] {v.getLong(), v.getInt()});
            }
        }
    }
}
