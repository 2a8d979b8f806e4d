'use strict'
/*
 * A kafkajs transactional producer against a broker without transactions. Run by
 * dev.brook.it.UnsupportedFeaturesTest:
 *
 *   node kafkajs-transaction.js 127.0.0.1:PORT TOPIC
 *
 * kafkajs retries retriable errors (COORDINATOR_NOT_AVAILABLE among them) with backoff for about half a minute;
 * a broker that lacks a feature must answer with an error kafkajs gives up on at once. The last line on stdout
 * is a JSON summary: whether the transaction failed, how long that took, and the error kafkajs reported.
 */
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

const { Kafka, logLevel } = require('kafkajs')

async function main () {
  const [broker, topic] = process.argv.slice(2)
  const kafka = new Kafka({ clientId: 'brook-it-txn', brokers: [broker], logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ transactionalId: 'brook-it-txn-' + Date.now(), idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const started = Date.now()
  let summary
  try {
    const txn = await producer.transaction()
    await txn.send({ topic, messages: [{ value: 'never' }] })
    await txn.commit()
    summary = { failed: false, ms: Date.now() - started, error: '' }
  } catch (e) {
    summary = { failed: true, ms: Date.now() - started, error: String(e && (e.type || e.name)) + ': ' + String(e && e.message) }
  }
  await producer.disconnect()
  console.log(JSON.stringify(summary))
}

main().catch(e => {
  console.error(e)
  process.exit(1)
})
