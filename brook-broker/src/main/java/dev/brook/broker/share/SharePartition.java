package dev.brook.broker.share;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.InvalidRecordStateException;

/**
 * The records of one topic partition as one share group works through them (KIP-932): the <b>start offset</b>, below
 * which every record is done, and the <b>in-flight window</b> from there to the <b>end offset</b>, the first offset no
 * fetch has reached yet. Each offset in the window has a {@link RecordState}, a delivery count, and while acquired an
 * owner and a lock deadline.
 *
 * <pre>
 *   log:      ... 97  98 | 99  100  101  102  103 | 104 105 ...
 *                  done  |  A   Q    K    Q    V  |  not fetched yet
 *                   start offset ^       window       ^ end offset
 *   A acquired, Q ... K acknowledged, V available again (released, or its lock expired)
 * </pre>
 *
 * <p>Rules: an acquisition takes available offsets in the window first, then new ones from the end offset, counting
 * a delivery each time; it stops extending the window once the window holds {@link Limits#maxRecordLocks} offsets.
 * Offsets with nothing to deliver (gaps between batches, control batches) are archived as the window reaches them.
 * RELEASE and an expired lock make a record available again, unless it has been delivered {@link
 * Limits#deliveryCountLimit} times: then it is archived and offered to the dead-letter topic, as a REJECT is.
 * Acknowledging is all or nothing: one offset not acquired by that member (or whose lock has expired) fails the whole
 * request with INVALID_RECORD_STATE and changes nothing. Offsets below the start offset are already done and ignored.
 * Every operation first expires the locks whose deadline has passed, so an answer never depends on when a timer ran.
 *
 * <p>Storage: one slot per window offset in parallel arrays (the window is bounded by the lock limit plus one
 * batch), so there is no allocation per record. A gap wider than the remaining room is not archived slot by slot: the
 * window stops before it and jumps over it once everything before it is done.
 *
 * <p>Not thread-safe: its owner calls it under a lock. Time is passed in, never read.
 * Side effects a caller must act on are collected and drained: records for the dead-letter topic, whether anything
 * became available (wake parked share fetches), whether the state changed (write it to the share-state log).
 */
public final class SharePartition {

    /** The limits a share-partition follows, read from its group's configs at each operation. */
    public record Limits(long lockDurationMs, int deliveryCountLimit, int maxRecordLocks) {
    }

    /** Offsets {@code first..last} of the log as a fetch read them: one batch, deliverable unless it is a control batch. */
    public record Span(long first, long last, boolean deliverable) {
    }

    /** Offsets {@code first..last} now held by the fetching member, each delivered {@code deliveryCount} times so far. */
    public record Acquired(long first, long last, int deliveryCount) {
    }

    /** One acknowledgement batch: offsets {@code first..last}, one type for all of them or one per offset. */
    public record AckBatch(long first, long last, AckType[] types) {
        AckType typeOf(long offset) {
            return types.length == 1 ? types[0] : types[(int) (offset - first)];
        }
    }

    /** A record archived because it was rejected or delivered too often: what the dead-letter topic is told. */
    public record DeadLetter(long offset, int deliveryCount, String cause) {
    }

    /** The durable part of the state: the start offset and every window offset's state and count (acquired ones as available). */
    public record Snapshot(long startOffset, long endOffset, List<Run> runs) {
    }

    /** Offsets {@code first..last} in one state with one delivery count. */
    public record Run(long first, long last, RecordState state, int deliveryCount) {
    }

    static final String REJECTED = "Offset rejected by client.";
    static final String TOO_MANY_DELIVERIES = "Offset delivery count exceeded the threshold.";

    private final Supplier<Limits> limits;
    private long start;
    private long end;
    /** The offset of slot 0; {@code base <= start}. */
    private long base;
    private byte[] state = new byte[16];
    private short[] count = new short[16];
    private String[] owner = new String[16];
    private long[] deadline = new long[16];
    private int acquired;

    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private boolean madeAvailable;
    private boolean dirty;

    /** A share-partition starting at {@code startOffset} with nothing in flight. */
    public SharePartition(long startOffset, Supplier<Limits> limits) {
        this.limits = Objects.requireNonNull(limits);
        this.start = startOffset;
        this.end = startOffset;
        this.base = startOffset;
    }

    /** The share-partition start offset: every record below it is acknowledged or archived. */
    public long startOffset() {
        return start;
    }

    /** The first offset no fetch has reached yet. */
    public long endOffset() {
        return end;
    }

    /** Where the next fetch reads from: the first available offset in the window, else the end offset. */
    public long nextFetchOffset(long nowMs) {
        expire(nowMs);
        for (long o = start; o < end; o++) {
            if (state[slot(o)] == RecordState.AVAILABLE.id) {
                return o;
            }
        }
        return end;
    }

    /** The state of {@code offset}: terminal below the start offset, null at or past the end offset. */
    public RecordState stateOf(long offset) {
        if (offset < start) {
            return RecordState.ACKNOWLEDGED;
        }
        return offset < end ? RecordState.of(state[slot(offset)]) : null;
    }

    /** How often the record at {@code offset} in the window has been delivered. */
    public int deliveryCount(long offset) {
        return offset >= start && offset < end ? count[slot(offset)] : 0;
    }

    /** The member holding {@code offset}, or null. */
    public String ownerOf(long offset) {
        return offset >= start && offset < end ? owner[slot(offset)] : null;
    }

    /** Records currently acquired. */
    public int acquiredCount() {
        return acquired;
    }

    /** Records at or above the start offset that are already done (the lag leaves them out). */
    public int deliveryCompleteCount() {
        int n = 0;
        for (long o = start; o < end; o++) {
            if (RecordState.of(state[slot(o)]).terminal()) {
                n++;
            }
        }
        return n;
    }

    /** The earliest lock deadline, or {@code Long.MAX_VALUE} with nothing acquired. */
    public long nextDeadline() {
        if (acquired == 0) {
            return Long.MAX_VALUE;
        }
        long min = Long.MAX_VALUE;
        for (long o = start; o < end; o++) {
            int s = slot(o);
            if (state[s] == RecordState.ACQUIRED.id && deadline[s] < min) {
                min = deadline[s];
            }
        }
        return min;
    }

    /**
     * Acquires records for {@code member} from {@code spans}, the batches a log read returned from {@link
     * #nextFetchOffset}: available window offsets, then new ones. Stops at a span boundary once {@code maxRecords}
     * are acquired (a whole batch is taken, as Kafka's batch-optimized mode does), or at once when {@code
     * recordLimit}.
     *
     * @return the acquired ranges, in offset order, split where the delivery count changes
     */
    public List<Acquired> acquire(String member, List<Span> spans, int maxRecords, boolean recordLimit, long nowMs) {
        expire(nowMs);
        Limits l = limits.get();
        long lockUntil = nowMs + l.lockDurationMs();
        List<Acquired> out = new ArrayList<>();
        int taken = 0;
        long runFirst = -1;
        long runLast = -1;
        int runCount = 0;
        spans:
        for (Span span : spans) {
            if (taken >= maxRecords) {
                break;
            }
            if (span.last() < start) {
                continue;
            }
            advance(); // archived records at the head leave the window before it is measured
            if (span.first() > end) {
                long gap = span.first() - end;
                if (start == end) {
                    start = end = base = span.first(); // nothing in flight: jump over the gap
                    dirty = true;
                } else if ((end - start) + gap < l.maxRecordLocks()) {
                    while (end < span.first()) {
                        extend(RecordState.ARCHIVED, 0, null, 0);
                    }
                } else {
                    break; // wait for the window to drain, then jump
                }
            }
            boolean extending = false; // once a span extends the window it is taken whole, as Kafka takes whole batches
            for (long o = Math.max(span.first(), start); o <= span.last(); o++) {
                if (recordLimit && taken >= maxRecords) {
                    break spans;
                }
                int c;
                if (o < end) {
                    int s = slot(o);
                    if (state[s] != RecordState.AVAILABLE.id) {
                        if (runFirst >= 0) {
                            out.add(new Acquired(runFirst, runLast, runCount));
                            runFirst = -1;
                        }
                        continue;
                    }
                    if (!span.deliverable()) {
                        state[s] = RecordState.ARCHIVED.id;
                        dirty = true;
                        continue;
                    }
                    state[s] = RecordState.ACQUIRED.id;
                    c = ++count[s];
                    owner[s] = member;
                    deadline[s] = lockUntil;
                    acquired++;
                } else if (o == end) {
                    if (!extending && end - start >= l.maxRecordLocks()) {
                        break spans; // the window is full: only records inside it can be acquired again
                    }
                    extending = true;
                    if (!span.deliverable()) {
                        extend(RecordState.ARCHIVED, 0, null, 0);
                        if (runFirst >= 0) {
                            out.add(new Acquired(runFirst, runLast, runCount));
                            runFirst = -1;
                        }
                        continue;
                    }
                    extend(RecordState.ACQUIRED, 1, member, lockUntil);
                    acquired++;
                    c = 1;
                } else {
                    break spans; // a span out of order: stop rather than leave a hole in the window
                }
                dirty = true;
                taken++;
                if (runFirst >= 0 && runLast == o - 1 && runCount == c) {
                    runLast = o;
                } else {
                    if (runFirst >= 0) {
                        out.add(new Acquired(runFirst, runLast, runCount));
                    }
                    runFirst = o;
                    runLast = o;
                    runCount = c;
                }
            }
        }
        if (runFirst >= 0) {
            out.add(new Acquired(runFirst, runLast, runCount));
        }
        advance();
        return out;
    }

    /**
     * Applies {@code member}'s acknowledgements, all or none.
     *
     * @param renewAllowed whether RENEW may be used (the group's {@code share.renew.acknowledge.enable})
     * @throws InvalidRecordStateException if an offset at or above the start offset is not acquired by {@code member}
     */
    public void acknowledge(String member, List<AckBatch> batches, boolean renewAllowed, long nowMs) {
        expire(nowMs);
        for (AckBatch b : batches) {
            for (long o = Math.max(b.first(), start); o <= b.last(); o++) {
                if (o >= end) {
                    throw new InvalidRecordStateException("The record at offset " + o + " has not been acquired.");
                }
                int s = slot(o);
                if (state[s] != RecordState.ACQUIRED.id) {
                    throw new InvalidRecordStateException("The record at offset " + o + " is not in the acquired state ("
                            + RecordState.of(state[s]).name().toLowerCase(java.util.Locale.ROOT) + ").");
                }
                if (!member.equals(owner[s])) {
                    throw new InvalidRecordStateException("Member is not the owner of the record at offset " + o + ".");
                }
                if (b.typeOf(o) == AckType.RENEW && !renewAllowed) {
                    throw new InvalidRecordStateException("Lock renewal is disabled for this group (share.renew.acknowledge.enable).");
                }
            }
        }
        Limits l = limits.get();
        for (AckBatch b : batches) {
            for (long o = Math.max(b.first(), start); o <= b.last(); o++) {
                int s = slot(o);
                switch (b.typeOf(o)) {
                    case ACCEPT -> finish(s, RecordState.ACKNOWLEDGED);
                    case GAP -> finish(s, RecordState.ARCHIVED);
                    case REJECT -> {
                        finish(s, RecordState.ARCHIVED);
                        deadLetters.add(new DeadLetter(o, count[s], REJECTED));
                    }
                    case RELEASE -> giveBack(o, l);
                    case RENEW -> deadline[s] = nowMs + l.lockDurationMs();
                }
            }
        }
        dirty = true;
        advance();
    }

    /** Makes every record {@code member} holds available again (its session ended), as a RELEASE would. */
    public void releaseAll(String member, long nowMs) {
        expire(nowMs);
        if (acquired == 0) {
            return;
        }
        Limits l = limits.get();
        for (long o = start; o < end; o++) {
            int s = slot(o);
            if (state[s] == RecordState.ACQUIRED.id && member.equals(owner[s])) {
                giveBack(o, l);
                dirty = true;
            }
        }
        advance();
    }

    /** Expires the locks whose deadline is at or before {@code nowMs}. */
    public void expire(long nowMs) {
        if (acquired == 0) {
            return;
        }
        Limits l = null;
        for (long o = start; o < end; o++) {
            int s = slot(o);
            if (state[s] == RecordState.ACQUIRED.id && deadline[s] <= nowMs) {
                if (l == null) {
                    l = limits.get();
                }
                giveBack(o, l);
                dirty = true;
            }
        }
        if (l != null) {
            advance();
        }
    }

    /**
     * Moves the start offset to {@code offset} and forgets the window (AlterShareGroupOffsets on an empty group, or the
     * log's start moving past the records: they can no longer be delivered).
     */
    public void resetTo(long offset) {
        start = end = base = offset;
        Arrays.fill(state, (byte) 0);
        Arrays.fill(count, (short) 0);
        Arrays.fill(owner, null);
        acquired = 0;
        dirty = true;
    }

    /** Archives what lies below {@code logStartOffset} (deleted by retention), keeping the rest of the window. */
    public void logStartMoved(long logStartOffset) {
        if (logStartOffset <= start) {
            return;
        }
        if (logStartOffset >= end) {
            resetTo(logStartOffset);
            return;
        }
        for (long o = start; o < logStartOffset; o++) {
            int s = slot(o);
            if (state[s] == RecordState.ACQUIRED.id) {
                acquired--;
            }
            state[s] = RecordState.ARCHIVED.id;
            owner[s] = null;
        }
        dirty = true;
        advance();
    }

    /** The durable state: acquired records are written as available, with their delivery counts. */
    public Snapshot snapshot() {
        List<Run> runs = new ArrayList<>();
        long first = start;
        for (long o = start; o < end; o++) {
            int s = slot(o);
            if (o + 1 == end || durable(state[s]) != durable(state[slot(o + 1)]) || count[s] != count[slot(o + 1)]) {
                runs.add(new Run(first, o, RecordState.of(durable(state[s])), count[s]));
                first = o + 1;
            }
        }
        return new Snapshot(start, end, runs);
    }

    /**
     * The share-partition a snapshot describes. A record available with its delivery limit reached was acquired when
     * the state was written and lost its lock with the process: it is archived, as an expired lock would be, and
     * offered to the dead-letter topic.
     */
    public static SharePartition restore(Snapshot snapshot, Supplier<Limits> limits) {
        SharePartition p = new SharePartition(snapshot.startOffset(), limits);
        int limit = limits.get().deliveryCountLimit();
        for (Run run : snapshot.runs()) {
            for (long o = run.first(); o <= run.last(); o++) {
                if (run.state() == RecordState.AVAILABLE && run.deliveryCount() >= limit) {
                    p.extend(RecordState.ARCHIVED, run.deliveryCount(), null, 0);
                    p.deadLetters.add(new DeadLetter(o, run.deliveryCount(), TOO_MANY_DELIVERIES));
                    p.dirty = true;
                } else {
                    p.extend(run.state() == RecordState.ACQUIRED ? RecordState.AVAILABLE : run.state(), run.deliveryCount(), null, 0);
                }
            }
        }
        while (p.end < snapshot.endOffset()) {
            p.extend(RecordState.ARCHIVED, 0, null, 0);
        }
        p.advance();
        return p;
    }

    /** The records archived for the dead-letter topic since the last call. */
    public List<DeadLetter> drainDeadLetters() {
        if (deadLetters.isEmpty()) {
            return List.of();
        }
        List<DeadLetter> out = List.copyOf(deadLetters);
        deadLetters.clear();
        return out;
    }

    /** Whether a record became available since the last call (parked fetches should look again). */
    public boolean takeMadeAvailable() {
        boolean b = madeAvailable;
        madeAvailable = false;
        return b;
    }

    /** Whether the durable state changed since the last call. */
    public boolean takeDirty() {
        boolean b = dirty;
        dirty = false;
        return b;
    }

    // ------------------------------------------------------------------ internals

    private static byte durable(byte s) {
        return s == RecordState.ACQUIRED.id ? RecordState.AVAILABLE.id : s;
    }

    private int slot(long offset) {
        return (int) (offset - base);
    }

    private void finish(int s, RecordState terminal) {
        state[s] = terminal.id;
        owner[s] = null;
        acquired--;
    }

    /** An acquired record goes back: available, or archived (and dead-lettered) once delivered the limit's times. */
    private void giveBack(long o, Limits l) {
        int s = slot(o);
        if (count[s] >= l.deliveryCountLimit()) {
            finish(s, RecordState.ARCHIVED);
            deadLetters.add(new DeadLetter(o, count[s], TOO_MANY_DELIVERIES));
        } else {
            state[s] = RecordState.AVAILABLE.id;
            owner[s] = null;
            acquired--;
            madeAvailable = true;
        }
    }

    private void extend(RecordState st, int deliveries, String member, long lockUntil) {
        int s = (int) (end - base);
        if (s >= state.length) {
            compactOrGrow();
            s = (int) (end - base);
        }
        state[s] = st.id;
        count[s] = (short) deliveries;
        owner[s] = member;
        deadline[s] = lockUntil;
        end++;
    }

    /** Moves the window to slot 0, doubling the arrays if it still fills more than half of them. */
    private void compactOrGrow() {
        int shift = (int) (start - base);
        int used = (int) (end - start);
        int capacity = used * 2 > state.length ? state.length * 2 : state.length;
        state = move(state, shift, used, capacity);
        count = move(count, shift, used, capacity);
        owner = move(owner, shift, used, capacity);
        deadline = move(deadline, shift, used, capacity);
        base = start;
    }

    private static byte[] move(byte[] a, int from, int n, int capacity) {
        byte[] b = capacity == a.length ? a : new byte[capacity];
        System.arraycopy(a, from, b, 0, n);
        if (b == a) {
            Arrays.fill(a, n, a.length, (byte) 0);
        }
        return b;
    }

    private static short[] move(short[] a, int from, int n, int capacity) {
        short[] b = capacity == a.length ? a : new short[capacity];
        System.arraycopy(a, from, b, 0, n);
        if (b == a) {
            Arrays.fill(a, n, a.length, (short) 0);
        }
        return b;
    }

    private static long[] move(long[] a, int from, int n, int capacity) {
        long[] b = capacity == a.length ? a : new long[capacity];
        System.arraycopy(a, from, b, 0, n);
        return b;
    }

    private static String[] move(String[] a, int from, int n, int capacity) {
        String[] b = capacity == a.length ? a : new String[capacity];
        System.arraycopy(a, from, b, 0, n);
        if (b == a) {
            Arrays.fill(a, n, a.length, null);
        }
        return b;
    }

    /** Moves the start offset over the leading terminal records; an emptied window starts again at slot 0. */
    private void advance() {
        while (start < end && RecordState.of(state[slot(start)]).terminal()) {
            start++;
        }
        if (start == end) {
            base = start;
        }
    }
}
