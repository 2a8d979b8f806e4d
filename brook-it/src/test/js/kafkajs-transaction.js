'use strict'
/*
 * kafkajs transactions against Brook. Run by dev.brook.it.TransactionalClientsTest:
 *
 *   node kafkajs-transaction.js 127.0.0.1:PORT TOPIC
 *
 * Commits a transaction of three messages, aborts one of two, commits one more, then reads the topic with a
 * read_committed consumer (kafkajs' default) until it has seen four messages or ten seconds pass. The last line on
 * stdout is a JSON summary: what was committed and what the consumer read, in order.
 */
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

const { Kafka, logLevel } = require('kafkajs')

async function main () {
  const [broker, topic] = process.argv.slice(2)
  const kafka = new Kafka({ clientId: 'brook-it-txn', brokers: [broker], logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ transactionalId: 'brook-it-txn-' + Date.now(), idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const committed = []
  let txn = await producer.transaction()
  await txn.send({ topic, messages: [{ value: 'c1' }, { value: 'c2' }, { value: 'c3' }] })
  await txn.commit()
  committed.push('c1', 'c2', 'c3')
  txn = await producer.transaction()
  await txn.send({ topic, messages: [{ value: 'a1' }, { value: 'a2' }] })
  await txn.abort()
  txn = await producer.transaction()
  await txn.send({ topic, messages: [{ value: 'c4' }] })
  await txn.commit()
  committed.push('c4')
  await producer.disconnect()

  const consumer = kafka.consumer({ groupId: 'brook-it-txn-read-' + Date.now() })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const consumed = []
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 10000)
    consumer.run({
      eachMessage: async ({ message }) => {
        consumed.push(message.value.toString())
        if (consumed.length >= 4) {
          clearTimeout(timer)
          setTimeout(resolve, 500) // anything aborted would arrive now
        }
      }
    })
  })
  await consumer.disconnect()
  console.log(JSON.stringify({ committed, consumed }))
}

main().catch(e => {
  console.error(e)
  process.exit(1)
})
