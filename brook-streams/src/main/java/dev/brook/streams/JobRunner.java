package dev.brook.streams;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Job} against Brook or any Apache Kafka cluster with kafka-clients: one instance of the job, on one
 * thread of its own. Start more instances with the same job name (in this process or others) and they share the
 * input partitions through a consumer group named after the job; stopping one moves its partitions, and the state
 * in its changelogs, to the others.
 *
 * <pre>
 *  input topics ──poll──▶ task (sub-topology, partition) ──▶ producer ──▶ result, repartition, late topics
 *       ▲                      │ state: in memory; changes and a checkpoint written to &lt;job&gt;-&lt;sub&gt;-changelog at commit
 *       └── commit offsets ◀───┘ only after the changelog and result writes are acknowledged
 * </pre>
 *
 * <h2>Guarantees</h2>
 * Every {@code commit.interval.ms} (default 1000) the runner writes each task's changed state and a checkpoint of
 * its input offsets to the task's changelog partition, flushes the producer (waiting for every acknowledgement),
 * and only then commits the input offsets. The same happens before partitions are handed to another instance.
 * After a crash, a task restores its state up to its last checkpoint and resumes input at the checkpoint's offsets,
 * so state counts every input record exactly once and final window results come out right; output written after
 * the last checkpoint is written again (at least once). Exactly-once output would wrap the same steps in a
 * transaction.
 *
 * <h2>Startup</h2>
 * The runner looks up its source topics (they must exist), checks that topics read together are co-partitioned,
 * and creates what is missing: repartition topics (as many partitions as the topic feeding them), changelogs
 * (one per sub-topology, compacted, one partition per task), the late topic and result topics (as many partitions as the job's widest
 * source). Partitions are assigned with the range assignor, which gives the same partition number of every topic
 * to the same instance, so a task's inputs, state and changelog partition stay together. On assignment a task first
 * replays its changelog partition from the beginning, and its table partitions too; its stream partitions wait
 * (paused) until its tables are read up to where they ended at assignment.
 *
 * <h2>Watermark markers</h2>
 * A repartition topic carries, besides records, markers from each upstream task: a record with no key or value and
 * the header {@value #MARKER_HEADER} = 4 bytes origin partition, 8 bytes watermark, 1 byte idle flag. Upstream
 * tasks resend them at every commit, so a task that moved to another instance learns every origin's watermark.
 * Repartition records carry {@value #SEQUENCE_HEADER}: which upstream task and input record caused them. An upstream
 * task restarted from its checkpoint writes some records a second time, with the same sequences; the downstream task
 * keeps the highest sequence per origin as state and drops them, so state stays exact across a repartition too
 * (for outputs that follow from input records; those that wall-clock idleness causes carry no sequence).
 *
 * <p>Thread-safety: {@link #start}, {@link #close} and the getters may be called from any thread; everything else
 * happens on the runner's own thread.
 */
public final class JobRunner implements AutoCloseable {
    public static final String MARKER_HEADER = "brook.watermark";
    /** The header carrying an upstream task's sequence on repartition records (see {@code Task.sequence}). */
    public static final String SEQUENCE_HEADER = "brook.seq";
    /** Runner option (not passed to the clients): milliseconds between commits. */
    public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
    /** Runner option: replication factor of the topics the runner creates (default: the broker's default). */
    public static final String REPLICATION_FACTOR = "replication.factor";
    /**
     * Runner option: {@code at_least_once} (the default) or {@code exactly_once} ({@code exactly_once_v2} is taken
     * too): see {@link CommitProtocol}. Exactly-once needs a broker with transactions (Brook, Kafka 2.5+); its
     * transactional id is the job's name and the {@code group.instance.id} if one is set (so a restarted instance
     * fences its predecessor at once), otherwise a random one, and {@code transaction.timeout.ms} defaults to 10 s so a
     * crashed instance's open transaction is aborted within that.
     */
    public static final String PROCESSING_GUARANTEE = "processing.guarantee";

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    private static final Set<String> RUNNER_OPTIONS = Set.of(COMMIT_INTERVAL_MS, REPLICATION_FACTOR, PROCESSING_GUARANTEE);

    public enum State { RUNNING, STOPPED, FAILED }

    private final Topology topology;
    private final Map<String, Object> clientConfig;
    private final long commitIntervalMs;
    private final boolean exactlyOnce;
    private CommitProtocol commits;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Integer> partitionCounts = new HashMap<>();
    private final Map<String, Topology.Sub> readers = new HashMap<>();
    private final Map<Topology.Sub, Map<Integer, Task>> tasks = new LinkedHashMap<>();
    /** Table partitions still being read up to their end offset at assignment, per task, with the target. */
    private final Map<Task, Map<TopicPartition, Long>> bootstrapping = new HashMap<>();
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    private final Output out = new Output();
    private final CountDownLatch assigned = new CountDownLatch(1);
    private final Thread thread;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private KafkaConsumer<byte[], byte[]> restoreConsumer;
    private volatile boolean closing;
    private volatile State state = State.RUNNING;
    private volatile Throwable failure;
    private volatile Set<TopicPartition> assignment = Set.of();

    private JobRunner(Job job, Map<String, Object> config) {
        this.topology = job.topology();
        Map<String, Object> c = new HashMap<>(config);
        this.commitIntervalMs = Long.parseLong(String.valueOf(c.getOrDefault(COMMIT_INTERVAL_MS, "1000")));
        String guarantee = String.valueOf(c.getOrDefault(PROCESSING_GUARANTEE, "at_least_once"));
        if (!Set.of("at_least_once", "exactly_once", "exactly_once_v2").contains(guarantee)) {
            throw new IllegalArgumentException(PROCESSING_GUARANTEE + " is at_least_once or exactly_once, not " + guarantee);
        }
        this.exactlyOnce = !guarantee.equals("at_least_once");
        Object rf = c.get(REPLICATION_FACTOR);
        c.keySet().removeAll(RUNNER_OPTIONS);
        this.clientConfig = Map.copyOf(c);
        for (Topology.Sub sub : topology.subs) {
            tasks.put(sub, new LinkedHashMap<>());
            for (Topology.Source s : sub.sources) {
                readers.put(s.topic, sub);
            }
        }
        createTopics(rf == null ? Optional.empty() : Optional.of(Short.parseShort(String.valueOf(rf))));
        this.thread = new Thread(this::run, "brook-streams-" + topology.jobName);
    }

    /** Starts one instance of {@code job} against the cluster at {@code bootstrapServers}. */
    public static JobRunner start(Job job, String bootstrapServers) {
        return start(job, Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /**
     * Starts one instance of {@code job}. {@code config} holds kafka-clients settings ({@code bootstrap.servers} at
     * least; they reach the consumer, producer and admin client alike) and the runner options
     * {@link #COMMIT_INTERVAL_MS} and {@link #REPLICATION_FACTOR}. Creates missing internal and result topics before
     * returning; throws if a source topic is missing or topics read together are not co-partitioned.
     */
    public static JobRunner start(Job job, Map<String, ?> config) {
        Objects.requireNonNull(config.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG), "bootstrap.servers");
        @SuppressWarnings("unchecked")
        JobRunner r = new JobRunner(job, (Map<String, Object>) config);
        r.thread.start();
        return r;
    }

    public State state() {
        return state;
    }

    /** Why the runner stopped, when {@link #state} is {@code FAILED}. */
    public Throwable failure() {
        return failure;
    }

    /** The input partitions this instance holds now. */
    public Set<TopicPartition> assignment() {
        return assignment;
    }

    /** Waits until this instance has been given its first partitions (or has failed). */
    public boolean awaitAssignment(Duration timeout) throws InterruptedException {
        return assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Commits what has been processed, leaves the group (handing partitions to other instances) and stops. */
    @Override
    public void close() {
        closing = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- startup: topics ----

    private void createTopics(Optional<Short> replication) {
        Map<String, Object> adminConfig = new HashMap<>(clientConfig);
        adminConfig.keySet().retainAll(AdminClientConfig.configNames());
        try (Admin admin = Admin.create(adminConfig)) {
            Set<String> external = new LinkedHashSet<>();
            for (Topology.Sub sub : topology.subs) {
                for (Topology.Source s : sub.sources) {
                    if (s.upstream == null) {
                        external.add(s.topic);
                    }
                }
            }
            Map<String, Integer> found = describe(admin, external);
            for (String t : external) {
                if (!found.containsKey(t)) {
                    throw new IllegalStateException("source topic " + t + " of job " + topology.jobName + " does not exist");
                }
            }
            partitionCounts.putAll(found);
            List<NewTopic> wanted = new ArrayList<>();
            int widest = 1;
            for (Topology.Sub sub : topology.subs) {
                int n = subPartitions(sub);
                widest = Math.max(widest, n);
                for (Topology.Source s : sub.sources) {
                    if (s.upstream != null) {
                        wanted.add(new NewTopic(s.topic, Optional.of(partitionsOf(s.upstream)), replication));
                    }
                }
                wanted.add(new NewTopic(sub.changelogTopic(), Optional.of(n), replication).configs(Map.of("cleanup.policy", "compact")));
            }
            Set<String> results = new LinkedHashSet<>();
            results.add(topology.lateTopic);
            for (Topology.Sub sub : topology.subs) {
                for (Topology.Source s : sub.sources) {
                    collectSinks(s, results, new HashSet<>());
                }
            }
            for (String t : results) {
                wanted.add(new NewTopic(t, Optional.of(widest), replication));
            }
            Map<String, NewTopic> byName = new LinkedHashMap<>();
            wanted.forEach(t -> byName.putIfAbsent(t.name(), t));
            Map<String, Integer> existing = describe(admin, byName.keySet());
            partitionCounts.putAll(existing);
            List<NewTopic> missing = byName.values().stream().filter(t -> !existing.containsKey(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).values().forEach((name, f) -> await(f, "create", name, TopicExistsException.class));
                missing.forEach(t -> partitionCounts.put(t.name(), t.numPartitions()));
                log.info("job {}: created topics {}", topology.jobName, missing.stream().map(NewTopic::name).toList());
            }
            for (Topology.Sub sub : topology.subs) {
                subPartitions(sub); // repartition topics that already existed must fit too
            }
        }
    }

    /** Partition counts of those of {@code topics} that exist. */
    private static Map<String, Integer> describe(Admin admin, Collection<String> topics) {
        Map<String, Integer> counts = new HashMap<>();
        admin.describeTopics(topics).topicNameValues().forEach((name, f) -> {
            TopicDescription d = await(f, "describe", name, UnknownTopicOrPartitionException.class);
            if (d != null) {
                counts.put(name, d.partitions().size());
            }
        });
        return counts;
    }

    /** The result of one Admin call for {@code topic}; {@code null} when it failed with {@code expected}. */
    private static <T> T await(KafkaFuture<T> f, String verb, String topic, Class<? extends Exception> expected) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (expected.isInstance(e.getCause())) {
                return null;
            }
            throw new KafkaException("could not " + verb + " topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (Exception e) {
            throw new KafkaException("could not " + verb + " topic " + topic, e);
        }
    }

    /** The partition count every topic of {@code sub} shares; throws when they differ (they must be co-partitioned). */
    private int subPartitions(Topology.Sub sub) {
        Integer n = null;
        for (Topology.Source s : sub.sources) {
            int p = partitionsOf(s.topic);
            if (n != null && n != p) {
                throw new IllegalStateException("job " + topology.jobName + " reads " + sub.sources.stream().map(x -> x.topic).toList()
                        + " together (a join or merge), so they need equal partition counts; found " + n + " and " + p);
            }
            n = p;
        }
        return n;
    }

    private int partitionsOf(String topic) {
        Integer n = partitionCounts.get(topic);
        if (n != null) {
            return n;
        }
        for (Topology.Sub sub : topology.subs) {
            for (Topology.Source s : sub.sources) {
                if (s.topic.equals(topic) && s.upstream != null) {
                    return partitionsOf(s.upstream);
                }
            }
        }
        throw new IllegalStateException("partition count of " + topic + " is unknown");
    }

    private static void collectSinks(Topology.Step step, Set<String> into, Set<Topology.Step> seen) {
        if (!seen.add(step)) {
            return;
        }
        if (step instanceof Topology.Sink s) {
            into.add(s.topic);
        }
        for (Topology.Step c : step.children) {
            collectSinks(c, into, seen);
        }
        if (step instanceof Joins.Side side) {
            collectSinks(side.join, into, seen); // both sides feed the join step's processor, not a child
        }
    }

    // ---- the poll loop ----

    private void run() {
        try {
            consumer = new KafkaConsumer<>(consumerConfig(topology.jobName), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            restoreConsumer = new KafkaConsumer<>(consumerConfig(null), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            Map<String, Object> pc = new HashMap<>(clientConfig);
            pc.keySet().retainAll(ProducerConfig.configNames());
            pc.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
            pc.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
            pc.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, topology.jobName + "-producer");
            if (exactlyOnce) {
                Object instance = clientConfig.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
                pc.putIfAbsent(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topology.jobName + "-"
                        + (instance != null ? instance : java.util.UUID.randomUUID()));
                pc.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
            }
            producer = new KafkaProducer<>(pc, new ByteArraySerializer(), new ByteArraySerializer());
            commits = exactlyOnce ? new CommitProtocol.ExactlyOnce(producer, consumer, this::throwIfSendFailed)
                    : new CommitProtocol.AtLeastOnce(producer, consumer, this::throwIfSendFailed);
            consumer.subscribe(readers.keySet(), new Rebalance());
            long nextCommit = clock.millis() + commitIntervalMs;
            long nextTick = 0;
            while (!closing) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(Duration.ofMillis(100));
                } catch (WakeupException e) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    process(r);
                }
                checkBootstrapped();
                long now = clock.millis();
                if (now >= nextTick) {
                    forEachTask(Task::advance); // quiet inputs become idle by wall-clock time
                    nextTick = now + 100;
                }
                forEachTask(Task::endOfBatch); // one round of watermark markers per poll, not one per record
                if (now >= nextCommit) {
                    commit(allTasks());
                    nextCommit = now + commitIntervalMs;
                }
                throwIfSendFailed();
            }
            commit(allTasks());
            state = State.STOPPED;
        } catch (Throwable t) {
            failure = t;
            state = State.FAILED;
            log.error("job {} failed", topology.jobName, t);
        } finally {
            assigned.countDown();
            closeQuietly(consumer, restoreConsumer, producer);
        }
    }

    private Map<String, Object> consumerConfig(String group) {
        Map<String, Object> cc = new HashMap<>(clientConfig);
        cc.keySet().retainAll(ConsumerConfig.configNames());
        cc.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        cc.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        if (exactlyOnce) {
            cc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        }
        if (group != null) {
            cc.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            cc.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
            cc.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
            cc.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, topology.jobName + "-consumer");
        } else {
            cc.remove(ConsumerConfig.GROUP_ID_CONFIG);
            cc.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
            cc.put(ConsumerConfig.CLIENT_ID_CONFIG, topology.jobName + "-restore");
        }
        return cc;
    }

    private void process(ConsumerRecord<byte[], byte[]> r) {
        Task t = tasks.get(readers.get(r.topic())).get(r.partition());
        if (t == null) {
            return; // revoked while the batch was in flight
        }
        Header marker = r.headers().lastHeader(MARKER_HEADER);
        if (marker != null) {
            ByteBuffer b = ByteBuffer.wrap(marker.value());
            t.processWatermark(r.topic(), b.getInt(), b.getLong(), b.get() != 0);
            t.advance();
            return;
        }
        Header sequence = r.headers().lastHeader(SEQUENCE_HEADER);
        if (sequence != null && t.duplicate(r.topic(), sequence.value())) {
            return;
        }
        t.processAndAdvance(r.topic(), r.offset(), r.key(), r.value(), r.timestamp());
    }

    private List<Task> allTasks() {
        List<Task> all = new ArrayList<>();
        tasks.values().forEach(m -> all.addAll(m.values()));
        return all;
    }

    private void forEachTask(java.util.function.Consumer<Task> action) {
        for (Map<Integer, Task> m : tasks.values()) {
            m.values().forEach(action);
        }
    }

    /**
     * A commit: changed state to the changelogs, markers downstream, then the input offsets (stream partitions only:
     * tables are always replayed from the beginning) made to count with them as the {@link CommitProtocol} does.
     */
    private void commit(Collection<Task> which) {
        if (which.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Set<TopicPartition> held = consumer.assignment();
        for (Task t : which) {
            Map<String, Long> positions = new HashMap<>();
            for (TopicPartition tp : streamPartitions(t)) {
                if (held.contains(tp)) {
                    long position = consumer.position(tp);
                    positions.put(tp.topic(), position);
                    offsets.put(tp, new OffsetAndMetadata(position));
                }
            }
            t.flushState(positions);
            t.resendMarkers();
        }
        commits.commit(offsets);
    }

    private void throwIfSendFailed() {
        Exception e = sendFailure.get();
        if (e != null) {
            throw new KafkaException("job " + topology.jobName + " could not write its output", e);
        }
    }

    private void checkBootstrapped() {
        if (bootstrapping.isEmpty()) {
            return;
        }
        var it = bootstrapping.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Task, Map<TopicPartition, Long>> e = it.next();
            e.getValue().entrySet().removeIf(tp -> consumer.position(tp.getKey()) >= tp.getValue());
            if (e.getValue().isEmpty()) {
                it.remove();
                consumer.resume(streamPartitions(e.getKey()));
            }
        }
    }

    private List<TopicPartition> streamPartitions(Task t) {
        List<TopicPartition> tps = new ArrayList<>();
        for (Topology.Source s : t.sub.sources) {
            if (!s.isTable) {
                tps.add(new TopicPartition(s.topic, t.partition));
            }
        }
        return tps;
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            List<Task> gone = tasksOf(partitions);
            commit(gone);
            drop(gone);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            drop(tasksOf(partitions)); // another instance owns them already: nothing of ours may be committed
            commits.abandon();
            if (commits.discardsOnAbandon()) {
                // the aborted transaction held every task's changes since the last commit: start the rest over too
                List<TopicPartition> kept = new ArrayList<>(consumer.assignment());
                kept.removeAll(partitions);
                drop(allTasks());
                onPartitionsAssigned(kept);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            List<Task> created = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                Topology.Sub sub = readers.get(tp.topic());
                tasks.get(sub).computeIfAbsent(tp.partition(), p -> {
                    Task t = new Task(sub, p, out, clock);
                    created.add(t);
                    return t;
                });
            }
            restore(created);
            bootstrapTables(created);
            assignment = Set.copyOf(consumer.assignment());
            if (!partitions.isEmpty()) {
                assigned.countDown();
            }
        }

        private List<Task> tasksOf(Collection<TopicPartition> partitions) {
            List<Task> ts = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                Topology.Sub sub = readers.get(tp.topic());
                Task t = sub == null ? null : tasks.get(sub).get(tp.partition());
                if (t != null && !ts.contains(t)) {
                    ts.add(t);
                }
            }
            return ts;
        }

        private void drop(List<Task> gone) {
            for (Task t : gone) {
                tasks.get(t.sub).remove(t.partition);
                bootstrapping.remove(t);
            }
            assignment = Set.copyOf(consumer.assignment());
        }
    }

    /**
     * Restores each new task's stores from its changelog ({@link ChangelogRestore}), then starts its stream partitions at
     * the offsets of the task's last checkpoint (the state reflects exactly the input before them); without a checkpoint
     * they start at the committed offsets.
     */
    private void restore(List<Task> created) {
        if (created.isEmpty()) {
            return;
        }
        ChangelogRestore restore = new ChangelogRestore(restoreConsumer);
        Map<Task, Map<String, Long>> checkpoints = restore.restore(created);
        for (Task t : created) {
            Map<String, Long> checkpoint = checkpoints.get(t);
            for (TopicPartition tp : streamPartitions(t)) {
                Long offset = checkpoint.get(tp.topic());
                if (offset != null) {
                    consumer.seek(tp, offset);
                }
            }
        }
        log.info("job {}: restored {} changelog records into {} tasks", topology.jobName, restore.records(), created.size());
    }

    /** Table partitions are read from the beginning; the task's stream partitions wait until they are caught up. */
    private void bootstrapTables(List<Task> created) {
        for (Task t : created) {
            List<TopicPartition> tables = new ArrayList<>();
            for (Topology.Source s : t.sub.sources) {
                if (s.isTable) {
                    tables.add(new TopicPartition(s.topic, t.partition));
                }
            }
            if (tables.isEmpty()) {
                continue;
            }
            consumer.seekToBeginning(tables);
            Map<TopicPartition, Long> target = new HashMap<>(consumer.endOffsets(tables));
            target.values().removeIf(v -> v == 0);
            if (!target.isEmpty()) {
                bootstrapping.put(t, target);
                consumer.pause(streamPartitions(t));
            }
        }
    }

    private static void closeQuietly(AutoCloseable... closeables) {
        for (AutoCloseable c : closeables) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    log.warn("closing {}: {}", c.getClass().getSimpleName(), e.toString());
                }
            }
        }
    }

    /** Sends with the shared producer; the first failed send fails the job at the next check. */
    private final class Output implements TaskOutput {
        private final Callback failJob = (md, e) -> {
            if (e != null) {
                sendFailure.compareAndSet(null, e);
            }
        };

        @Override
        public void send(String topic, int partition, byte[] key, byte[] value, long timestamp) {
            send(topic, partition, key, value, timestamp, null);
        }

        @Override
        public void send(String topic, int partition, byte[] key, byte[] value, long timestamp, byte[] sequence) {
            commits.beforeSend();
            RecordHeaders headers = new RecordHeaders();
            if (sequence != null) {
                headers.add(SEQUENCE_HEADER, sequence);
            }
            producer.send(new ProducerRecord<>(topic, partition < 0 ? null : partition, timestamp < 0 ? null : timestamp, key, value,
                    headers), failJob);
        }

        @Override
        public void sendWatermark(String topic, int partition, int origin, long watermark, boolean idle) {
            commits.beforeSend();
            RecordHeaders headers = new RecordHeaders();
            headers.add(MARKER_HEADER, ByteBuffer.allocate(13).putInt(origin).putLong(watermark).put((byte) (idle ? 1 : 0)).array());
            producer.send(new ProducerRecord<>(topic, partition, null, null, null, headers), failJob);
        }

        /** Every topic the job reads or writes was counted at startup; the producer's metadata is only a fallback. */
        @Override
        public int partitionsOf(String topic) {
            return partitionCounts.computeIfAbsent(topic, t -> producer.partitionsFor(t).size());
        }

        @Override
        public boolean caughtUp(String topic, int partition) {
            // the lag as of the last fetch response; unknown before the first one
            OptionalLong lag = consumer.currentLag(new TopicPartition(topic, partition));
            return lag.isPresent() && lag.getAsLong() == 0;
        }
    }
}
