// A kafkajs consumer group against Brook: two members share a topic, commit, stop; a new member of the
// same group then resumes exactly after what was committed. Prints one JSON summary line; exits non-zero
// on any error. Usage: node kafkajs-group.js HOST:PORT
'use strict';
const { Kafka, logLevel } = require('kafkajs');

const broker = process.argv[2];
const kafka = new Kafka({ clientId: 'brook-it-group', brokers: [broker], logLevel: logLevel.NOTHING,
  retry: { retries: 8, initialRetryTime: 100 } });
const topic = `kafkajs-group-${process.pid}-${Date.now()}`;
const groupId = `kafkajs-group-${process.pid}`;
const deadline = (ms) => Date.now() + ms;

async function produce(from, count) {
  const producer = kafka.producer();
  await producer.connect();
  const messages = [];
  for (let i = from; i < from + count; i++) messages.push({ key: `k${i}`, value: `v${i}`, partition: i % 3 });
  await producer.send({ topic, messages });
  await producer.disconnect();
}

async function consumeUntil(members, received, expected, ms, beforeWaiting) {
  const consumers = [];
  const assignments = new Map();
  for (let m = 0; m < members; m++) {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500, rebalanceTimeout: 10000 });
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const parts = Object.values(e.payload.memberAssignment || {}).reduce((n, ps) => n + ps.length, 0);
      assignments.set(m, parts);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommit: true, autoCommitInterval: 100,
      eachMessage: async ({ partition, message }) => { received.push({ member: m, partition, offset: Number(message.offset), value: message.value.toString() }); } });
    consumers.push(consumer);
  }
  const settle = deadline(ms);
  const settled = () => assignments.size === members && [...assignments.values()].every((n) => n > 0)
    && [...assignments.values()].reduce((a, b) => a + b, 0) === 3;
  while (!settled() && Date.now() < settle) await new Promise((r) => setTimeout(r, 100));
  if (beforeWaiting) await beforeWaiting();
  const end = deadline(ms);
  while (received.length < expected && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500));
  for (const c of consumers) await c.disconnect();
}

(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  const first = [];
  await consumeUntil(2, first, 90, 60000, () => produce(0, 90));
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committedSum = committed[0].partitions.reduce((s, p) => s + Number(p.offset), 0);

  await produce(90, 30);
  const second = [];
  await consumeUntil(1, second, 30, 60000);
  const groups = await admin.listGroups();
  await admin.disconnect();

  const firstValues = first.map((r) => r.value);
  const secondValues = second.map((r) => r.value);
  const membersUsed = new Set(first.map((r) => r.member)).size;
  console.log(JSON.stringify({
    firstCount: first.length,
    firstUnique: new Set(firstValues).size,
    membersUsed,
    committedSum,
    secondCount: second.length,
    secondUnique: new Set(secondValues).size,
    secondOnlyNew: secondValues.every((v) => Number(v.slice(1)) >= 90),
    groupListed: groups.groups.some((g) => g.groupId === groupId),
  }));
})().catch((e) => { console.error(e); process.exit(1); });
