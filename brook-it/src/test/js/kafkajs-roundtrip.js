'use strict'
/*
 * Drives a broker with kafkajs 2.2.4, a client written independently of Apache Kafka's Java client.
 * Run by dev.brook.it.KafkajsTest:
 *
 *   node kafkajs-roundtrip.js 127.0.0.1:PORT
 *
 * What it does, in order:
 *   1. admin: creates a 3-partition topic and sees it in listTopics();
 *   2. producer: sends PLAIN_COUNT keyed messages with headers uncompressed, then GZIP_COUNT more in one
 *      CompressionTypes.GZIP batch;
 *   3. admin.fetchTopicOffsets (ListOffsets): earliest and latest offset of every partition;
 *   4. reads every partition from its earliest to its latest offset with plain Fetch requests and checks
 *      that every message came back once, with its key, value and header.
 *
 * Consumer groups are a later issue, so step 4 goes below kafkajs's public consumer: it uses kafkajs's own
 * Cluster (metadata, leader lookup, ApiVersions negotiation) and Broker.fetch(), which is exactly what
 * kafkajs's consumer issues underneath. When consumer groups land, this script should also read the topic
 * with kafka.consumer({ groupId }) and compare.
 *
 * The last line on stdout is a JSON summary; logs go to stderr. Exit 0 only if every check passed.
 */
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

const { Kafka, CompressionTypes, logLevel } = require('kafkajs')
const Cluster = require('kafkajs/src/cluster')
const { createLogger } = require('kafkajs/src/loggers')
const socketFactory = require('kafkajs/src/network/socketFactory')

const PLAIN_COUNT = 300
const GZIP_COUNT = 200
const PARTITIONS = 3
const DEADLINE_MS = 60000
const MAX_FETCHES = 2000

const stderrLogger = () => ({ namespace, label, log }) => {
  process.stderr.write(`${label} [${namespace}] ${JSON.stringify(log)}\n`)
}

function fail(message) {
  throw new Error(message)
}

async function main() {
  const broker = process.argv[2] || fail('usage: node kafkajs-roundtrip.js HOST:PORT')
  const topic = `kafkajs-${process.pid}-${Date.now()}`
  const clientId = 'brook-it-kafkajs'
  const kafka = new Kafka({
    clientId,
    brokers: [broker],
    connectionTimeout: 5000,
    requestTimeout: 15000,
    retry: { retries: 5, initialRetryTime: 100 },
    logLevel: logLevel.WARN,
    logCreator: stderrLogger,
  })

  // 1. Admin: create and list.
  const admin = kafka.admin()
  await admin.connect()
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
  })
  const listed = (await admin.listTopics()).includes(topic)

  // 2. Produce: plain, then one gzip batch.
  const expected = new Map() // key -> { value, header, codec }
  const makeMessages = (from, count, codec) => {
    const messages = []
    for (let i = from; i < from + count; i++) {
      const key = `key-${i}`
      const value = `value-${i}-${'x'.repeat(i % 50)}`
      const header = `h-${i}`
      expected.set(key, { value, header, codec })
      messages.push({ key, value, headers: { trace: header } })
    }
    return messages
  }
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  const plainAcks = await producer.send({ topic, acks: -1, messages: makeMessages(0, PLAIN_COUNT, 'none') })
  const gzipAcks = await producer.send({
    topic,
    acks: -1,
    compression: CompressionTypes.GZIP,
    messages: makeMessages(PLAIN_COUNT, GZIP_COUNT, 'gzip'),
  })
  const produceErrors = [...plainAcks, ...gzipAcks].filter(r => r.errorCode !== 0).length
  await producer.disconnect()

  // 3. ListOffsets through the admin client.
  const offsets = await admin.fetchTopicOffsets(topic)
  await admin.disconnect()

  // 4. Fetch every partition from low to high with kafkajs's own protocol layer.
  const cluster = new Cluster({
    logger: createLogger({ level: logLevel.WARN, logCreator: stderrLogger }),
    socketFactory: socketFactory(),
    brokers: [broker],
    clientId,
    connectionTimeout: 5000,
    requestTimeout: 15000,
    retry: { retries: 5, initialRetryTime: 100 },
    allowAutoTopicCreation: false,
  })
  await cluster.connect()
  await cluster.addTargetTopic(topic)
  const next = new Map(offsets.map(o => [o.partition, BigInt(o.low)]))
  const high = new Map(offsets.map(o => [o.partition, BigInt(o.high)]))
  const leaders = cluster.findLeaderForPartitions(topic, offsets.map(o => o.partition))

  const seen = new Map() // key -> count
  const mismatches = []
  const partitionErrors = []
  let fetches = 0
  const deadline = Date.now() + DEADLINE_MS
  const pending = () => [...next.keys()].filter(p => next.get(p) < high.get(p))
  while (pending().length > 0 && fetches < MAX_FETCHES && Date.now() < deadline) {
    for (const [nodeId, leaderPartitions] of Object.entries(leaders)) {
      const wanted = leaderPartitions.filter(p => next.get(p) < high.get(p))
      if (wanted.length === 0) continue
      const leader = await cluster.findBroker({ nodeId })
      fetches++
      const response = await leader.fetch({
        isolationLevel: 0, // READ_UNCOMMITTED, the Java consumer's default
        maxWaitTime: 100,
        minBytes: 1,
        maxBytes: 1024 * 1024,
        topics: [{
          topic,
          partitions: wanted.map(p => ({ partition: p, fetchOffset: next.get(p).toString(), maxBytes: 256 * 1024 })),
        }],
      })
      for (const topicResponse of response.responses) {
        for (const part of topicResponse.partitions) {
          if (part.errorCode !== 0) {
            partitionErrors.push({ partition: part.partition, errorCode: part.errorCode })
            continue
          }
          for (const message of part.messages) {
            const offset = BigInt(message.offset)
            // A batch may start before the requested offset; skip what was already read.
            if (offset < next.get(part.partition)) continue
            next.set(part.partition, offset + 1n)
            const key = message.key === null ? null : message.key.toString()
            seen.set(key, (seen.get(key) || 0) + 1)
            const want = expected.get(key)
            const value = message.value === null ? null : message.value.toString()
            const header = message.headers && message.headers.trace ? message.headers.trace.toString() : null
            if (!want || want.value !== value || want.header !== header) {
              if (mismatches.length < 10) mismatches.push({ partition: part.partition, offset: message.offset, key, value, header })
            }
          }
        }
      }
    }
  }
  await cluster.disconnect()

  const missing = [...expected.keys()].filter(k => !seen.has(k))
  const duplicates = [...seen.entries()].filter(([, n]) => n > 1).map(([k]) => k)
  const consumed = [...seen.values()].reduce((a, b) => a + b, 0)
  const summary = {
    topic,
    created,
    listed,
    produced: PLAIN_COUNT + GZIP_COUNT,
    gzipProduced: GZIP_COUNT,
    produceErrors,
    partitions: offsets.length,
    endOffsetsSum: offsets.reduce((a, o) => a + Number(o.high) - Number(o.low), 0),
    consumed,
    gzipConsumed: [...seen.keys()].filter(k => expected.has(k) && expected.get(k).codec === 'gzip').length,
    fetches,
    missing: missing.slice(0, 10),
    missingCount: missing.length,
    duplicates: duplicates.slice(0, 10),
    mismatches,
    partitionErrors: partitionErrors.slice(0, 10),
  }
  process.stdout.write(JSON.stringify(summary) + '\n')
  const ok = created && listed && produceErrors === 0 && missing.length === 0 && duplicates.length === 0 &&
    mismatches.length === 0 && partitionErrors.length === 0 && consumed === summary.produced &&
    summary.endOffsetsSum === summary.produced && offsets.length === PARTITIONS
  return ok ? 0 : 1
}

main().then(
  code => process.exit(code),
  err => {
    process.stderr.write(`kafkajs-roundtrip failed: ${err && err.stack ? err.stack : err}\n`)
    process.exit(2)
  })
