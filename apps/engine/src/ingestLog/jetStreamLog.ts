import {
  jetstream,
  jetstreamManager,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  type PubAck,
} from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { EngineError } from '../errors'
import type { Logger } from '../logger'
import {
  ingestLogFull,
  type AppendedRequest,
  type IngestConsumer,
  type IngestLog,
  type IngestLogDepth,
  type IngestLogSettings,
  type IngestRequest,
  type LoggedRequest,
} from './ingestLog'
import {
  decodeIngestMessage,
  encodeIngestMessage,
  newIngestMessage,
  type IngestMessage,
} from './ingestMessage'
import { ensureIngestStream, type IngestStreamSettings } from './ingestStream'
import {
  ingestStreamNames,
  messageIdOf,
  parseRequestId,
  pipelineOf,
  requestIdOf,
  subjectOf,
  type IngestStreamNames,
} from './ingestStreamNames'
import { JetStreamConsumer } from './jetStreamConsumer'

/**
 * What the JetStream log needs; the engine passes its env's values. `leaseMs` is the consumer's
 * `ack_wait`: a running request tells JetStream it is still working three times per lease.
 */
export interface JetStreamLogOptions extends IngestLogSettings {
  /** The engine's one NATS connection (nats/natsConnection.ts); the log never closes it. */
  readonly nats: NatsConnection
  /** `readInstallationId(pool)` of the engine database: names the stream. */
  readonly installationId: string
  /** `SLUICE_NATS_REPLICAS`. */
  readonly replicas: number
  /** `SLUICE_IDEMPOTENCY_RETENTION_HOURS` in ms: how long JetStream itself dedupes a key. */
  readonly duplicateWindowMs: number
  readonly log: Logger
}

/** How long append keeps re-publishing (a leader election takes seconds) before a 503. */
const APPEND_DEADLINE_MS = 15_000
const PUBLISH_TIMEOUT_MS = 3_000
/** JetStream's "maximum messages exceeded": the stream is at max_msgs and discards new. */
const MAX_MESSAGES_EXCEEDED = 10077
/** Room for the Nats-Msg-Id header and the protocol line next to the payload. */
const HEADER_ALLOWANCE_BYTES = 256

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms)
  })

const reasonOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

/**
 * The async ingest log on NATS JetStream: one work-queue stream per install
 * (`SLUICE_INGEST_<installation id>`), one subject per pipeline, the request key as
 * `Nats-Msg-Id` so a re-sent request is stored once, one durable pull consumer shared by every
 * engine. Creates the stream and consumer (or brings them to these settings) before resolving.
 *
 * @example
 * const log = await createJetStreamLog({
 *   nats, installationId: await readInstallationId(pool), replicas: env.SLUICE_NATS_REPLICAS,
 *   maxDepth: 100_000, leaseMs: 30_000, duplicateWindowMs: 24 * 3_600_000, log: logger,
 * })
 * const { requestId } = await log.append({ pipeline: 'orders', key, bodyHash, body })
 */
export async function createJetStreamLog(options: JetStreamLogOptions): Promise<IngestLog> {
  const names = ingestStreamNames(options.installationId)
  const settings: IngestStreamSettings = {
    replicas: options.replicas,
    maxDepth: options.maxDepth,
    duplicateWindowMs: options.duplicateWindowMs,
    ackWaitMs: options.leaseMs,
  }
  let manager: JetStreamManager
  try {
    manager = await jetstreamManager(options.nats)
  } catch (error) {
    throw new EngineError(
      'UNAVAILABLE',
      `NATS at ${options.nats.getServer()} has no JetStream (start nats-server with -js): ${reasonOf(error)}`,
      { cause: error },
    )
  }
  await ensureIngestStream(manager, names, settings, options.log)
  return new JetStreamLog(options, names, settings, manager)
}

class JetStreamLog implements IngestLog {
  readonly kind = 'nats'
  readonly #nats: NatsConnection
  readonly #client: JetStreamClient
  readonly #manager: JetStreamManager
  readonly #names: IngestStreamNames
  readonly #settings: IngestStreamSettings
  readonly #log: Logger
  readonly #consumers = new Set<JetStreamConsumer>()
  #closed = false

  constructor(
    options: JetStreamLogOptions,
    names: IngestStreamNames,
    settings: IngestStreamSettings,
    manager: JetStreamManager,
  ) {
    this.#nats = options.nats
    this.#client = jetstream(options.nats)
    this.#manager = manager
    this.#names = names
    this.#settings = settings
    this.#log = options.log
  }

  async append(request: IngestRequest): Promise<AppendedRequest> {
    if (this.#closed) throw new EngineError('UNAVAILABLE', 'the ingest log is closed')
    const message = newIngestMessage(request, new Date())
    const data = encodeIngestMessage(message)
    const maxPayload = this.#nats.info?.max_payload
    if (maxPayload !== undefined && data.length + HEADER_ALLOWANCE_BYTES > maxPayload) {
      throw new EngineError(
        'PAYLOAD_TOO_LARGE',
        `the request takes ${data.length} bytes in the ingest log; the NATS server takes messages ` +
          `of at most ${maxPayload} bytes (its max_payload: raise it, or lower SLUICE_MAX_BODY_BYTES)`,
      )
    }
    const messageId = messageIdOf(this.#names, request.pipeline, request.key)
    const subject = subjectOf(this.#names, request.pipeline)
    const deadline = Date.now() + APPEND_DEADLINE_MS
    for (let attempt = 1; ; attempt += 1) {
      let ack: PubAck
      try {
        ack = await this.#client.publish(subject, data, {
          msgID: messageId,
          expect: { streamName: this.#names.stream },
          timeout: PUBLISH_TIMEOUT_MS,
        })
      } catch (error) {
        if (error instanceof JetStreamApiError && error.code === MAX_MESSAGES_EXCEEDED) {
          throw ingestLogFull(this.#settings.maxDepth)
        }
        // Lost PubAck, no stream leader yet, NATS reconnecting: publishing again is safe, the
        // message id makes JetStream store the request once.
        if (Date.now() + PUBLISH_TIMEOUT_MS > deadline) {
          throw new EngineError(
            'UNAVAILABLE',
            `the ingest log (NATS JetStream) did not confirm the request: ${reasonOf(error)}; ` +
              're-send it with the same Idempotency-Key',
            { cause: error, retryAfterSeconds: 1 },
          )
        }
        await sleep(Math.min(100 * attempt, 1_000))
        continue
      }
      return this.#appended(ack, message, messageId)
    }
  }

  async #appended(
    ack: PubAck,
    message: IngestMessage,
    messageId: string,
  ): Promise<AppendedRequest> {
    const requestId = requestIdOf(ack.seq, messageId)
    if (!ack.duplicate) return { requestId, acceptedAt: message.acceptedAt, duplicate: false }
    const original = await this.#read(ack.seq).catch(() => undefined)
    // A retried publish whose first PubAck was lost finds its own message: not a duplicate.
    if (original?.appendId === message.appendId) {
      return { requestId, acceptedAt: message.acceptedAt, duplicate: false }
    }
    // Once the original was applied it left the log; its acceptedAt is in the engine's records.
    return { requestId, acceptedAt: original?.acceptedAt ?? message.acceptedAt, duplicate: true }
  }

  async #read(sequence: number): Promise<IngestMessage | undefined> {
    const stored = await this.#manager.streams.getMessage(this.#names.stream, { seq: sequence })
    if (!stored || pipelineOf(this.#names, stored.subject) === undefined) return undefined
    return decodeIngestMessage(stored.data)
  }

  async find(requestId: string): Promise<LoggedRequest | undefined> {
    const parsed = parseRequestId(requestId)
    if (!parsed) return undefined
    let message: IngestMessage | undefined
    let delivered: number
    try {
      ;[message, delivered] = await Promise.all([
        this.#read(parsed.sequence),
        this.#manager.consumers
          .info(this.#names.stream, this.#names.consumer)
          .then((info) => info.delivered.stream_seq),
      ])
    } catch (error) {
      throw new EngineError('UNAVAILABLE', `cannot read the ingest log: ${reasonOf(error)}`, {
        cause: error,
        retryAfterSeconds: 1,
      })
    }
    // The id's hash part must match: after the stream was made anew an old id finds nothing.
    if (
      !message ||
      !messageIdOf(this.#names, message.pipeline, message.key).startsWith(parsed.messageIdPrefix)
    ) {
      return undefined
    }
    return {
      pipeline: message.pipeline,
      key: message.key,
      bodyHash: message.bodyHash,
      body: message.body,
      requestId,
      acceptedAt: message.acceptedAt,
      // JetStream counts deliveries per pending message but tells them only to the consumer:
      // here, 0 until the consumer reached it, else at least 1.
      deliveries: parsed.sequence <= delivered ? 1 : 0,
    }
  }

  async depth(): Promise<ReadonlyMap<string, IngestLogDepth>> {
    const depths = new Map<string, IngestLogDepth>()
    try {
      const info = await this.#manager.streams.info(this.#names.stream, {
        subjects_filter: `${this.#names.subjectPrefix}.*`,
      })
      const counts = Object.entries(info.state.subjects ?? {})
      await Promise.all(
        counts.map(async ([subject, queued]) => {
          const pipeline = pipelineOf(this.#names, subject)
          if (pipeline === undefined || queued === 0) return
          // The stream keeps each pipeline's requests in order: its first is the oldest.
          const first = await this.#manager.direct.getMessage(this.#names.stream, {
            next_by_subj: subject,
            seq: info.state.first_seq,
          })
          const oldestQueuedAt = first ? decodeIngestMessage(first.data)?.acceptedAt : undefined
          depths.set(pipeline, oldestQueuedAt ? { queued, oldestQueuedAt } : { queued })
        }),
      )
    } catch (error) {
      throw new EngineError('UNAVAILABLE', `cannot read the ingest log: ${reasonOf(error)}`, {
        cause: error,
        retryAfterSeconds: 1,
      })
    }
    return depths
  }

  consume(
    handle: (request: LoggedRequest) => Promise<void>,
    options: { readonly concurrency: number },
  ): IngestConsumer {
    if (this.#closed) throw new EngineError('UNAVAILABLE', 'the ingest log is closed')
    const consumer = new JetStreamConsumer({
      nats: this.#nats,
      client: this.#client,
      names: this.#names,
      handle,
      concurrency: options.concurrency,
      ackWaitMs: this.#settings.ackWaitMs,
      log: this.#log,
    })
    this.#consumers.add(consumer)
    return {
      stop: async () => {
        await consumer.stop()
        this.#consumers.delete(consumer)
      },
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    await Promise.all([...this.#consumers].map((consumer) => consumer.abandon()))
    this.#consumers.clear()
  }
}
