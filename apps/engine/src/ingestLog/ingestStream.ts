import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream'
import { millis, nanos } from '@nats-io/transport-node'
import { EngineError } from '../errors'
import type { Logger } from '../logger'
import type { IngestStreamNames } from './ingestStreamNames'

/** What an engine asks of its install's ingest stream; every engine of the install should agree. */
export interface IngestStreamSettings {
  /** JetStream replicas of the stream and its consumer (`SLUICE_NATS_REPLICAS`). */
  readonly replicas: number
  /** Most requests the stream holds (`SLUICE_INGEST_LOG_MAX_DEPTH`); more are refused, not stored. */
  readonly maxDepth: number
  /** How long the stream remembers a request key (`SLUICE_IDEMPOTENCY_RETENTION_HOURS`). */
  readonly duplicateWindowMs: number
  /** How long a delivered request may go without ack or progress before it is delivered again. */
  readonly ackWaitMs: number
}

const STREAM_NOT_FOUND = 10059
const CONSUMER_NOT_FOUND = 10014

function streamConfigOf(
  names: IngestStreamNames,
  settings: IngestStreamSettings,
): Partial<StreamConfig> & { name: string } {
  return {
    name: names.stream,
    description: 'Sluice async ingest: requests accepted (202) and not yet applied',
    subjects: [`${names.subjectPrefix}.*`],
    // Work queue: a request leaves the stream when its consumer acks it, never by age or count.
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: settings.replicas,
    // The depth limit is the stream's own: a full stream refuses the publish, so it is never racy.
    max_msgs: settings.maxDepth,
    discard: DiscardPolicy.New,
    max_age: 0,
    duplicate_window: nanos(settings.duplicateWindowMs),
    // Lets depth() read each pipeline's oldest request from any replica.
    allow_direct: true,
  }
}

function consumerConfigOf(
  names: IngestStreamNames,
  settings: IngestStreamSettings,
): Partial<ConsumerConfig> {
  return {
    durable_name: names.consumer,
    description: 'Sluice engines applying async ingest requests (shared by every engine)',
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(settings.ackWaitMs),
    // Never give up on a request: one that keeps failing stays in the log (and in its depth).
    max_deliver: -1,
    // num_replicas left out: the consumer has the stream's.
  }
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code
}

function unavailable(what: string, error: unknown, settings: IngestStreamSettings): EngineError {
  const reason = error instanceof Error ? error.message : String(error)
  const hint = /insufficient resources|replicas/i.test(reason)
    ? ` (SLUICE_NATS_REPLICAS=${settings.replicas}: the NATS cluster needs at least that many JetStream servers)`
    : ''
  return new EngineError('UNAVAILABLE', `cannot set up ${what} on NATS: ${reason}${hint}`, {
    cause: error,
  })
}

/**
 * Creates the install's work-queue stream and its durable consumer, or brings an existing one to
 * these settings (the last engine to start with other settings wins; give every engine the same).
 *
 * @example
 * await ensureIngestStream(await jetstreamManager(nats), ingestStreamNames(id), settings, log)
 */
export async function ensureIngestStream(
  manager: JetStreamManager,
  names: IngestStreamNames,
  settings: IngestStreamSettings,
  log: Logger,
): Promise<void> {
  const wanted = streamConfigOf(names, settings)
  try {
    const current = await manager.streams.info(names.stream).catch((error: unknown) => {
      if (isApiError(error, STREAM_NOT_FOUND)) return undefined
      throw error
    })
    if (current === undefined) {
      await manager.streams.add(wanted)
      log.info({ stream: names.stream, replicas: settings.replicas }, 'ingest stream created')
    } else {
      const config = current.config
      const changed =
        config.num_replicas !== settings.replicas ||
        config.max_msgs !== settings.maxDepth ||
        config.discard !== DiscardPolicy.New ||
        millis(config.duplicate_window) !== settings.duplicateWindowMs ||
        !config.allow_direct
      if (changed) {
        await manager.streams.update(names.stream, wanted)
        log.info({ stream: names.stream, replicas: settings.replicas }, 'ingest stream updated')
      }
    }
  } catch (error) {
    throw unavailable(`the ingest stream ${names.stream}`, error, settings)
  }

  const consumer = consumerConfigOf(names, settings)
  try {
    const current = await manager.consumers
      .info(names.stream, names.consumer)
      .catch((error: unknown) => {
        if (isApiError(error, CONSUMER_NOT_FOUND)) return undefined
        throw error
      })
    if (current === undefined) {
      await manager.consumers.add(names.stream, consumer)
    } else if (millis(current.config.ack_wait ?? 0) !== settings.ackWaitMs) {
      await manager.consumers.update(names.stream, names.consumer, consumer)
    }
  } catch (error) {
    throw unavailable(`the ingest consumer ${names.consumer}`, error, settings)
  }
}
