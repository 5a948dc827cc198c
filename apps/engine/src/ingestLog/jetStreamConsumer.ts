import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Logger } from '../logger'
import type { IngestConsumer, LoggedRequest } from './ingestLog'
import { decodeIngestMessage } from './ingestMessage'
import { messageIdOf, pipelineOf, requestIdOf, type IngestStreamNames } from './ingestStreamNames'

/** How long one pull waits for a request; stop() cuts it short. */
const PULL_EXPIRES_MS = 5_000
/** Redelivery delay after `handle` rejected: doubling per delivery, capped. */
const RETRY_DELAY_MS = 500
const RETRY_DELAY_MAX_MS = 30_000
/** One ack's wait for the server's confirmation (it is re-sent until ack_wait runs out). */
const ACK_TIMEOUT_MS = 2_000

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms)
  })

/** The subject an ack for `message` goes to (the consumer's leader answers it). */
function ackSubjectOf(message: JsMsg): string | undefined {
  // JsMsg hides its reply subject; its implementation keeps it as `reply`.
  const reply: unknown = (message as unknown as { reply?: unknown }).reply
  return typeof reply === 'string' && reply !== '' ? reply : undefined
}

export interface JetStreamConsumerOptions {
  readonly nats: NatsConnection
  readonly client: JetStreamClient
  readonly names: IngestStreamNames
  readonly handle: (request: LoggedRequest) => Promise<void>
  readonly concurrency: number
  readonly ackWaitMs: number
  readonly log: Logger
}

/**
 * `concurrency` workers on the install's durable pull consumer. Each pulls one request only when
 * it is free, so no request waits in this engine's buffer while its ack_wait runs; while `handle`
 * runs, the worker tells JetStream it is still working (so a long request is not delivered again),
 * and it acks only after `handle` resolved, waiting for JetStream to confirm the ack.
 */
export class JetStreamConsumer implements IngestConsumer {
  readonly #options: JetStreamConsumerOptions
  readonly #pulls = new Set<ConsumerMessages>()
  readonly #workers: Promise<void>[]
  /** Progress timers of the requests being handled. */
  readonly #progress = new Set<NodeJS.Timeout>()
  #stopping = false
  /** Let go without a word: what is being handled is neither acked nor handed back. */
  #abandoned = false

  constructor(options: JetStreamConsumerOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`concurrency must be a whole number >= 1, got ${options.concurrency}`)
    }
    this.#options = options
    this.#workers = Array.from({ length: options.concurrency }, () => this.#work())
  }

  async stop(): Promise<void> {
    this.#stopping = true
    await Promise.all([...this.#pulls].map((pull) => pull.close()))
    await Promise.all(this.#workers)
  }

  /**
   * Stops at once, as if the engine died: running `handle` calls are not waited for, and what
   * they handle is never acked, so JetStream delivers it again once its ack_wait ran out.
   */
  async abandon(): Promise<void> {
    this.#stopping = true
    this.#abandoned = true
    for (const timer of this.#progress) clearInterval(timer)
    this.#progress.clear()
    await Promise.all([...this.#pulls].map((pull) => pull.close()))
  }

  /** Read through a call: stop() flips it while a worker awaits. */
  #isStopping(): boolean {
    return this.#stopping
  }

  async #work(): Promise<void> {
    const { client, names, log } = this.#options
    let failures = 0
    let consumer: Consumer | undefined
    while (!this.#stopping) {
      try {
        consumer ??= await client.consumers.get(names.stream, names.consumer)
        const pull = await consumer.fetch({ max_messages: 1, expires: PULL_EXPIRES_MS })
        // In #pulls only while it waits: stop() cuts waiting pulls short, never a handled one.
        this.#pulls.add(pull)
        let message: JsMsg | undefined
        try {
          if (this.#isStopping()) await pull.close()
          for await (const pulled of pull) {
            message = pulled
            break
          }
        } finally {
          this.#pulls.delete(pull)
        }
        failures = 0
        if (message) await this.#handleOne(message)
      } catch (error) {
        if (this.#isStopping()) break
        consumer = undefined
        failures += 1
        // A NATS restart or a leader election: say so once, then keep trying quietly.
        if (failures === 1)
          log.warn({ err: error }, 'ingest consumer: cannot pull from NATS, retrying')
        await sleep(Math.min(100 * 2 ** failures, 5_000))
      }
    }
  }

  async #handleOne(message: JsMsg): Promise<void> {
    const { names, handle, ackWaitMs, log } = this.#options
    if (this.#stopping) {
      // Pulled as we stopped: hand it straight back to the other engines.
      message.nak()
      return
    }
    const stored = decodeIngestMessage(message.data)
    const pipeline = pipelineOf(names, message.subject)
    if (!stored || pipeline !== stored.pipeline) {
      log.error(
        { stream: names.stream, seq: message.seq, subject: message.subject },
        'the ingest stream holds a message Sluice did not write: removed without running it',
      )
      message.term('not a Sluice ingest request')
      return
    }
    const deliveries = message.info.deliveryCount
    const request: LoggedRequest = {
      pipeline: stored.pipeline,
      key: stored.key,
      bodyHash: stored.bodyHash,
      body: stored.body,
      requestId: requestIdOf(message.seq, messageIdOf(names, stored.pipeline, stored.key)),
      acceptedAt: stored.acceptedAt,
      deliveries,
    }
    const progress = setInterval(
      () => {
        message.working()
      },
      Math.max(ackWaitMs / 3, 50),
    )
    this.#progress.add(progress)
    const done = (): void => {
      clearInterval(progress)
      this.#progress.delete(progress)
    }
    try {
      await handle(request)
    } catch (error) {
      done()
      if (this.#abandoned) return
      const delay = Math.min(RETRY_DELAY_MS * 2 ** (deliveries - 1), RETRY_DELAY_MAX_MS)
      log.warn(
        { err: error, requestId: request.requestId, deliveries, retryInMs: delay },
        'async request not handled: the log delivers it again',
      )
      message.nak(delay)
      return
    }
    done()
    if (this.#abandoned) return
    await this.#ack(message, request)
  }

  /** Acks and waits for JetStream to confirm, re-sending (a new leader may answer) until ack_wait. */
  async #ack(message: JsMsg, request: LoggedRequest): Promise<void> {
    const { nats, ackWaitMs, log } = this.#options
    const deadline = Date.now() + ackWaitMs
    const subject = ackSubjectOf(message)
    let lastError: unknown
    for (let attempt = 1; Date.now() < deadline; attempt += 1) {
      try {
        if (attempt === 1) await message.ackAck({ timeout: ACK_TIMEOUT_MS })
        else if (subject !== undefined)
          await nats.request(subject, '+ACK', { timeout: ACK_TIMEOUT_MS })
        else break
        return
      } catch (error) {
        lastError = error
        await sleep(Math.min(100 * attempt, 1_000))
      }
    }
    log.warn(
      { err: lastError, requestId: request.requestId },
      'NATS did not confirm the ack: the request may be delivered again (its outcome is recorded, it will not apply twice)',
    )
  }
}
