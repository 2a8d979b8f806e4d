// A kafkajs consumer group reads a compacted topic that Brook's cleaner has cleaned (offset gaps, empty batches)
// from the beginning, until it has EXPECTED messages or the deadline passes. Prints one JSON line
// {"messages":[[offset,key,value],...]}; exits non-zero on any error.
// Usage: node kafkajs-compacted.js HOST:PORT TOPIC EXPECTED
'use strict';
const { Kafka, logLevel } = require('kafkajs');

const [broker, topic, expectedArg] = process.argv.slice(2);
const expected = Number(expectedArg);
const kafka = new Kafka({ clientId: 'brook-it-compacted', brokers: [broker], logLevel: logLevel.NOTHING,
  retry: { retries: 8, initialRetryTime: 100 } });

async function main() {
  const consumer = kafka.consumer({ groupId: `kafkajs-compacted-${process.pid}`, sessionTimeout: 10000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const messages = [];
  await consumer.run({ eachMessage: async ({ message }) => {
    messages.push([Number(message.offset), message.key.toString(), message.value === null ? null : message.value.toString()]);
  } });
  const deadline = Date.now() + 30000;
  while (messages.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500)); // nothing more should arrive
  await consumer.disconnect();
  console.log(JSON.stringify({ messages }));
}

main().catch((e) => { console.error(e); process.exit(1); });
