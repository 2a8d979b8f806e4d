package dev.brook.broker.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brook.broker.share.SharePartition.AckBatch;
import dev.brook.broker.share.SharePartition.Acquired;
import dev.brook.broker.share.SharePartition.DeadLetter;
import dev.brook.broker.share.SharePartition.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.errors.InvalidRecordStateException;

/**
 * Random scripts of appends (data batches, control batches, compaction gaps), acquisitions by three members,
 * acknowledgements of every type (valid and not), session ends, clock jumps and restarts (snapshot, restore) against a
 * share-partition, checked step by step against a model that keeps one entry per offset in a map:
 * <ul>
 *   <li>an acquisition takes only offsets that are available, or new, and deliverable; each one's delivery count
 *       goes up by one and never passes the limit; an accepted record is never acquired again, across restarts;</li>
 *   <li>an acknowledgement succeeds exactly when every offset it names at or above the start offset is held by that
 *       member with its lock unexpired, and then moves each offset as its type says;</li>
 *   <li>the start offset is always the first offset not done; states, counts and owners agree with the model;</li>
 *   <li>what is rejected, or given back at the delivery limit, is offered to the dead-letter topic, once;</li>
 *   <li>while anything is available, or nothing is in flight and the log has more, a fetch acquires something.</li>
 * </ul>
 */
class SharePartitionProperties {

    enum Kind { APPEND, ACQUIRE, ACK, RELEASE_ALL, TICK, RESTART }

    record Step(Kind kind, int member, int a, int b, int c) {
    }

    static final long LOCK_MS = 1_000;
    static final int LIMIT = 3;
    static final String[] MEMBERS = {"m0", "m1", "m2"};

    @Provide
    Arbitrary<List<Step>> scripts() {
        Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(Kind.APPEND)),
                Tuple.of(6, Arbitraries.just(Kind.ACQUIRE)),
                Tuple.of(8, Arbitraries.just(Kind.ACK)),
                Tuple.of(1, Arbitraries.just(Kind.RELEASE_ALL)),
                Tuple.of(2, Arbitraries.just(Kind.TICK)),
                Tuple.of(1, Arbitraries.just(Kind.RESTART)));
        Arbitrary<Step> step = Combinators.combine(kinds, Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 99),
                Arbitraries.integers().between(0, 99), Arbitraries.integers().between(0, 99)).as(Step::new);
        return step.list().ofMinSize(10).ofMaxSize(300);
    }

    /** One offset as the model sees it. */
    static final class M {
        RecordState state;
        int count;
        String owner;
        long deadline;

        M(RecordState state, int count, String owner, long deadline) {
            this.state = state;
            this.count = count;
            this.owner = owner;
            this.deadline = deadline;
        }
    }

    final List<Span> log = new ArrayList<>();
    long logEnd;
    final TreeMap<Long, M> model = new TreeMap<>();
    final List<Long> expectedDeadLetters = new ArrayList<>();
    long now;
    int maxLocks;
    SharePartition sp;

    @Property(tries = 400)
    void aSharePartitionBehavesAsItsModel(@ForAll("scripts") List<Step> script, @ForAll @IntRange(min = 4, max = 30) int locks,
                                          @ForAll @IntRange(min = 0, max = 5) int startAt) {
        log.clear();
        model.clear();
        expectedDeadLetters.clear();
        now = 0;
        maxLocks = locks;
        logEnd = startAt;
        sp = new SharePartition(startAt, () -> new SharePartition.Limits(LOCK_MS, LIMIT, maxLocks));
        for (Step s : script) {
            switch (s.kind()) {
                case APPEND -> append(s);
                case ACQUIRE -> acquire(s);
                case ACK -> ack(s);
                case RELEASE_ALL -> {
                    expireModel();
                    sp.releaseAll(MEMBERS[s.member()], now);
                    for (M m : model.values()) {
                        if (m.state == RecordState.ACQUIRED && m.owner.equals(MEMBERS[s.member()])) {
                            giveBack(m, offsetOf(m));
                        }
                    }
                }
                case TICK -> {
                    now += s.a() * 25L;
                    expireModel();
                    sp.expire(now);
                }
                case RESTART -> {
                    SharePartition.Snapshot snap = sp.snapshot();
                    assertThat(sp.drainDeadLetters()).isEmpty();
                    sp = SharePartition.restore(snap, () -> new SharePartition.Limits(LOCK_MS, LIMIT, maxLocks));
                    for (Map.Entry<Long, M> e : model.entrySet()) {
                        M m = e.getValue();
                        if (m.state == RecordState.ACQUIRED) {
                            if (m.count >= LIMIT) {
                                m.state = RecordState.ARCHIVED;
                                expectedDeadLetters.add(e.getKey());
                            } else {
                                m.state = RecordState.AVAILABLE;
                            }
                            m.owner = null;
                        }
                    }
                }
            }
            check();
        }
    }

    private void append(Step s) {
        if (s.c() < 15) {
            logEnd += 1 + s.c() % 3; // compaction left a gap
        }
        if (s.b() < 15) {
            log.add(new Span(logEnd, logEnd, false)); // a control batch (a transaction marker)
            logEnd++;
            return;
        }
        int n = 1 + s.a() % 6;
        log.add(new Span(logEnd, logEnd + n - 1, true));
        logEnd += n;
    }

    private boolean deliverable(long offset) {
        for (Span span : log) {
            if (offset >= span.first() && offset <= span.last()) {
                return span.deliverable();
            }
        }
        return false;
    }

    private void acquire(Step s) {
        expireModel();
        String member = MEMBERS[s.member()];
        long from = sp.nextFetchOffset(now);
        List<Span> spans = log.stream().filter(span -> span.last() >= from).toList();
        long endBefore = sp.endOffset();
        boolean anyAvailable = model.values().stream().anyMatch(m -> m.state == RecordState.AVAILABLE);
        boolean emptyWithMore = sp.startOffset() == sp.endOffset() && spans.stream().anyMatch(Span::deliverable);
        int max = 1 + s.a() % 8;
        boolean recordLimit = s.b() < 30;
        List<Acquired> got = sp.acquire(member, spans, max, recordLimit, now);

        int total = 0;
        long previousLast = Long.MIN_VALUE;
        for (Acquired a : got) {
            assertThat(a.first()).as("ranges in order, no overlap").isGreaterThan(previousLast);
            previousLast = a.last();
            for (long o = a.first(); o <= a.last(); o++) {
                total++;
                assertThat(deliverable(o)).as("offset %d acquired is a data record", o).isTrue();
                M m = model.get(o);
                if (m == null) {
                    assertThat(o).as("a new offset %d comes from past the window", o).isGreaterThanOrEqualTo(endBefore);
                    m = new M(RecordState.AVAILABLE, 0, null, 0);
                    model.put(o, m);
                } else {
                    assertThat(m.state).as("offset %d was available before it was acquired", o).isEqualTo(RecordState.AVAILABLE);
                }
                m.state = RecordState.ACQUIRED;
                m.count++;
                m.owner = member;
                m.deadline = now + LOCK_MS;
                assertThat(a.deliveryCount()).as("delivery count of %d", o).isEqualTo(m.count).isLessThanOrEqualTo(LIMIT);
            }
        }
        if (recordLimit) {
            assertThat(total).as("record-limit mode acquires at most max").isLessThanOrEqualTo(max);
        }
        if (anyAvailable || emptyWithMore) {
            assertThat(got).as("something was available to acquire").isNotEmpty();
        }
        // offsets the window reached without acquiring them have nothing to deliver and are archived
        for (long o = endBefore; o < Math.max(sp.endOffset(), sp.startOffset()); o++) {
            if (!model.containsKey(o)) {
                assertThat(deliverable(o)).as("offset %d skipped by the window has no record", o).isFalse();
                if (o >= sp.startOffset()) {
                    assertThat(sp.stateOf(o)).isEqualTo(RecordState.ARCHIVED);
                }
                model.put(o, new M(RecordState.ARCHIVED, 0, null, 0));
            }
        }
    }

    private void ack(Step s) {
        expireModel();
        String member = MEMBERS[s.member()];
        List<Long> held = model.entrySet().stream()
                .filter(e -> e.getValue().state == RecordState.ACQUIRED && e.getValue().owner.equals(member)).map(Map.Entry::getKey).toList();
        long first;
        long last;
        if (!held.isEmpty() && s.c() >= 20) {
            int i = s.a() % held.size();
            first = held.get(i);
            last = first;
            while (last + 1 <= held.get(held.size() - 1) && held.contains(last + 1) && (s.b() + last) % 4 != 0) {
                last++;
            }
        } else {
            long lo = Math.max(0, sp.startOffset() - 2);
            first = lo + s.a() % 12;
            last = first + s.b() % 4;
        }
        AckType[] types;
        if (s.c() % 3 == 0) {
            types = new AckType[(int) (last - first + 1)];
            for (int i = 0; i < types.length; i++) {
                types[i] = AckType.values()[(s.a() + i * 7 + s.c()) % 5];
            }
        } else {
            types = new AckType[] {AckType.values()[s.c() % 5]};
        }
        AckBatch batch = new AckBatch(first, last, types);
        boolean valid = true;
        for (long o = Math.max(first, sp.startOffset()); o <= last; o++) {
            M m = model.get(o);
            if (m == null || m.state != RecordState.ACQUIRED || !m.owner.equals(member) || m.deadline <= now) {
                valid = false;
            }
        }
        if (!valid) {
            assertThatThrownBy(() -> sp.acknowledge(member, List.of(batch), true, now)).isInstanceOf(InvalidRecordStateException.class);
            return;
        }
        sp.acknowledge(member, List.of(batch), true, now);
        for (long o = first; o <= last; o++) {
            M m = model.get(o);
            if (m == null || m.state != RecordState.ACQUIRED) {
                continue; // below the start offset: ignored
            }
            switch (batch.typeOf(o)) {
                case ACCEPT -> done(m, RecordState.ACKNOWLEDGED);
                case GAP -> done(m, RecordState.ARCHIVED);
                case REJECT -> {
                    done(m, RecordState.ARCHIVED);
                    expectedDeadLetters.add(o);
                }
                case RELEASE -> giveBack(m, o);
                case RENEW -> m.deadline = now + LOCK_MS;
            }
        }
    }

    private static void done(M m, RecordState terminal) {
        m.state = terminal;
        m.owner = null;
    }

    private void giveBack(M m, long offset) {
        if (m.count >= LIMIT) {
            done(m, RecordState.ARCHIVED);
            expectedDeadLetters.add(offset);
        } else {
            m.state = RecordState.AVAILABLE;
            m.owner = null;
        }
    }

    private long offsetOf(M target) {
        for (Map.Entry<Long, M> e : model.entrySet()) {
            if (e.getValue() == target) {
                return e.getKey();
            }
        }
        throw new AssertionError();
    }

    private void expireModel() {
        for (Map.Entry<Long, M> e : model.entrySet()) {
            M m = e.getValue();
            if (m.state == RecordState.ACQUIRED && m.deadline <= now) {
                giveBack(m, e.getKey());
            }
        }
    }

    private void check() {
        long firstOpen = model.entrySet().stream().filter(e -> e.getKey() >= sp.startOffset() && !e.getValue().state.terminal())
                .mapToLong(Map.Entry::getKey).min().orElse(sp.endOffset());
        assertThat(sp.startOffset()).as("the start offset is the first offset not done").isEqualTo(Math.min(firstOpen, sp.endOffset()));
        model.entrySet().stream().filter(e -> e.getKey() < sp.startOffset()).forEach(e ->
                assertThat(e.getValue().state.terminal()).as("offset %d below the start offset is done", e.getKey()).isTrue());
        int acquired = 0;
        for (Map.Entry<Long, M> e : model.entrySet()) {
            long o = e.getKey();
            M m = e.getValue();
            if (o < sp.startOffset()) {
                continue;
            }
            assertThat(sp.stateOf(o)).as("state of %d", o).isEqualTo(m.state);
            if (m.state != RecordState.ARCHIVED || m.count > 0) {
                assertThat(sp.deliveryCount(o)).as("delivery count of %d", o).isEqualTo(m.count);
            }
            assertThat(sp.ownerOf(o)).as("owner of %d", o).isEqualTo(m.owner);
            if (m.state == RecordState.ACQUIRED) {
                acquired++;
            }
        }
        assertThat(sp.acquiredCount()).isEqualTo(acquired);
        List<Long> dead = sp.drainDeadLetters().stream().map(DeadLetter::offset).sorted().toList();
        assertThat(dead).as("dead letters").isEqualTo(expectedDeadLetters.stream().sorted().toList());
        expectedDeadLetters.clear();
    }
}
