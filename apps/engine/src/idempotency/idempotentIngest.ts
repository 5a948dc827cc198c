import { randomUUID } from 'node:crypto'
import type { SpanContext } from '@opentelemetry/api'
import {
  MAX_STORED_ANSWER_BYTES,
  type IngestRequest,
  type IngestResponse,
  type QueryResultView,
} from '@sluice/contract'
import { EngineError } from '../errors'
import type { Logger } from '../logger'
import type { PipelineRegistry } from '../pipelines/pipelineRegistry'
import { alreadyAppliedView } from '../pipelines/queryOutcome'
import { transactionOptions } from '../pipelines/submitOptions'
import { bodyHash } from './canonicalJson'
import type { IdempotentRequestStore } from './idempotentRequestStore'
import type { TargetLedgers } from './targetLedgers'

/** A keyed request: what the sync HTTP ingest and the async ingest both hand in. */
export interface KeyedRequest {
  readonly pipeline: string
  /** The caller's `Idempotency-Key` (checked by `idempotencyKeySchema`), or one generated. */
  readonly key: string
  readonly body: IngestRequest
  /** False (`Prefer: wait=0`): answer REQUEST_IN_PROGRESS while another run of the key is on. */
  readonly wait?: boolean
  readonly callerContext?: SpanContext
}

/** The answer of a keyed request. */
export interface KeyedAnswer {
  readonly response: IngestResponse
  /** The answer of an earlier run of the same request (`Idempotent-Replayed: true`). */
  readonly replayed: boolean
}

/** How long answers are kept and the ledger's schema in every target. */
export interface IdempotencySettings {
  readonly retentionHours: number
  /**
   * How long a run's lease lasts without renewal (renewed every third of it): an engine that
   * died loses its runs after this, and duplicates elsewhere take them over.
   */
  readonly leaseMs: number
}

export interface IdempotentIngestDeps {
  readonly registry: PipelineRegistry
  readonly store: IdempotentRequestStore
  readonly ledgers: TargetLedgers
  readonly log: Logger
}

/** How often a waiting duplicate looks at another engine's run. */
const POLL_MS = 200
const PURGE_EVERY_MS = 10 * 60_000

/**
 * The one path of keyed requests: applies each request once per (pipeline, key) however often
 * and however concurrently it arrives, and answers every copy with the first run's answer.
 *
 * - The answer is kept in `sluice.idempotent_requests` (engine database) for the retention;
 *   duplicates in this engine wait for the same run, those in another engine on the same
 *   database wait on the row; a run holds a lease it renews, so a crashed engine's run is taken
 *   over once its lease expired.
 * - Each write carries a row of the target's ledger in its own statement (pipeline-core's
 *   `ledger` option), so a run taken over after a crash applies only what had not committed and
 *   answers the rest `alreadyApplied`. Reads take no ledger row: a replay after a crash runs
 *   them again (a stored answer is replayed as it was).
 *
 * @example
 * const ingest = new IdempotentIngest({ registry, store, ledgers, log }, { retentionHours: 24 })
 * const { response, replayed } = await ingest.run({ pipeline: 'orders', key: 'k-1', body })
 */
export class IdempotentIngest {
  readonly #deps: IdempotentIngestDeps
  readonly #retentionMs: number
  readonly #leaseMs: number
  /** This engine's name on the leases it holds. */
  readonly #owner = randomUUID()
  /** Runs of this engine, by pipeline and key: duplicates here await the same one. */
  readonly #flights = new Map<string, { hash: string; answer: Promise<KeyedAnswer> }>()
  #purgeTimer: NodeJS.Timeout | undefined

  constructor(deps: IdempotentIngestDeps, settings: IdempotencySettings) {
    this.#deps = deps
    this.#retentionMs = settings.retentionHours * 3_600_000
    this.#leaseMs = settings.leaseMs
  }

  /** Purges expired answers and ledger rows now and every ten minutes. */
  start(): void {
    const purge = (): void => {
      void this.purge().catch((error: unknown) => {
        this.#deps.log.warn({ err: error }, 'could not purge expired idempotent requests')
      })
    }
    purge()
    this.#purgeTimer = setInterval(purge, PURGE_EVERY_MS)
    this.#purgeTimer.unref()
  }

  stop(): void {
    clearInterval(this.#purgeTimer)
  }

  /** Deletes answers past their retention, and ledger rows older than it (with a day's margin). */
  async purge(): Promise<void> {
    const purged = await this.#deps.store.purgeExpired()
    if (purged > 0) this.#deps.log.debug({ purged }, 'expired idempotent requests purged')
    await this.#deps.ledgers.purge(this.#retentionMs + 86_400_000)
  }

  /**
   * Runs `request` once, or answers the stored answer of its earlier run. Throws EngineError:
   * NOT_FOUND, IDEMPOTENCY_KEY_REUSED (same key, other body), REQUEST_IN_PROGRESS (`wait:
   * false` while it runs), or the pipeline's refusal (QUEUE_FULL, PIPELINE_PAUSED…: nothing
   * ran, the key stays free).
   */
  async run(request: KeyedRequest): Promise<KeyedAnswer> {
    if (!this.#deps.registry.find(request.pipeline))
      throw new EngineError('NOT_FOUND', `no pipeline named "${request.pipeline}"`)
    const hash = bodyHash(request.body)
    const flightKey = `${request.pipeline}\n${request.key}`
    for (;;) {
      const flight = this.#flights.get(flightKey)
      if (!flight) break
      if (flight.hash === hash) {
        if (request.wait === false) throw inProgress(request.key)
        return { response: (await flight.answer).response, replayed: true }
      }
      // Another body under the same key: once that run is over, the store tells who is right.
      await flight.answer.catch(() => undefined)
    }
    const answer = this.#claimAndRun(request, hash)
    this.#flights.set(flightKey, { hash, answer })
    try {
      return await answer
    } finally {
      this.#flights.delete(flightKey)
    }
  }

  async #claimAndRun(request: KeyedRequest, hash: string): Promise<KeyedAnswer> {
    const { store } = this.#deps
    for (;;) {
      const claim = await store.claim(request.pipeline, request.key, hash, this.#owner, {
        leaseMs: this.#leaseMs,
        retentionMs: this.#retentionMs,
      })
      switch (claim.kind) {
        case 'other_body':
          throw new EngineError(
            'IDEMPOTENCY_KEY_REUSED',
            `the Idempotency-Key "${request.key}" was already used on pipeline "${request.pipeline}" with another request body; send the same body, or a new key for a new request`,
          )
        case 'done':
          return { response: claim.answer, replayed: true }
        case 'running':
          if (request.wait === false) throw inProgress(request.key)
          await sleep(POLL_MS)
          continue
        case 'run':
          return {
            response: await this.#execute(request, claim.runId, claim.recovering),
            replayed: false,
          }
      }
    }
  }

  async #execute(
    request: KeyedRequest,
    runId: string,
    recovering: boolean,
  ): Promise<IngestResponse> {
    const { registry, store, ledgers, log } = this.#deps
    const { pipeline, key, body } = request
    const renew = setInterval(() => {
      store.renew(pipeline, key, runId, this.#owner, this.#leaseMs).then(
        (mine) => {
          if (!mine) log.warn({ pipeline, key }, 'lost the lease of a keyed request while it ran')
        },
        (error: unknown) => {
          log.warn({ err: error, pipeline }, 'could not renew a lease')
        },
      )
    }, this.#leaseMs / 3)
    renew.unref()
    let queued = false
    try {
      const managed = registry.find(pipeline)
      if (!managed) throw new EngineError('NOT_FOUND', `no pipeline named "${pipeline}"`)
      const url = managed.targetUrl
      const ledgerKey = `${pipeline}:${runId}`
      try {
        await ledgers.ensure(url)
      } catch (error) {
        throw new EngineError(
          'UNAVAILABLE',
          `the target's ledger table could not be created or reached: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error, retryAfterSeconds: 1 },
        )
      }
      // Taken over from a run that stopped: the target's ledger says what committed then.
      const applied = recovering ? await ledgers.appliedIndexes(url, ledgerKey) : new Set<number>()
      const results: (QueryResultView | undefined)[] = body.queries.map((query, index) =>
        applied.has(index)
          ? alreadyAppliedView(`${ledgerKey}#${String(index)}`, query.callbackId, '')
          : undefined,
      )
      const pending = body.queries.flatMap((query, index) =>
        applied.has(index) ? [] : [{ query, index }],
      )
      if (pending.length > 0) {
        const ran = await registry.submit(
          pipeline,
          pending.map((entry) => entry.query),
          body.group,
          request.callerContext,
          {
            ledger: {
              schema: ledgers.schema,
              key: ledgerKey,
              indexes: pending.map((entry) => entry.index),
            },
            ...transactionOptions(body),
          },
        )
        ran.forEach((result, position) => {
          const index = pending[position]?.index
          if (index !== undefined) results[index] = result
        })
      }
      queued = true
      const response: IngestResponse = { results: results.filter((result) => result !== undefined) }
      await this.#keep(pipeline, key, runId, response)
      return response
    } catch (error) {
      if (!queued) {
        // Refused before anything was queued: free the key (or, taken over, its lease) at once.
        const freed = recovering
          ? store.renew(pipeline, key, runId, this.#owner, 0)
          : store.release(pipeline, key, runId)
        await freed.catch((cause: unknown) => {
          log.warn({ err: cause }, 'could not free a key')
        })
      }
      throw error
    } finally {
      clearInterval(renew)
    }
  }

  /** Stores the answer, without rows when it is too large; a failure here only logs. */
  async #keep(pipeline: string, key: string, runId: string, response: IngestResponse) {
    let text = JSON.stringify(response)
    let rowsOmitted = false
    if (Buffer.byteLength(text) > MAX_STORED_ANSWER_BYTES) {
      rowsOmitted = true
      text = JSON.stringify({
        results: response.results.map(({ rows: _rows, ...status }) => status),
        rowsOmitted: true,
      } satisfies IngestResponse)
    }
    try {
      await this.#deps.store.finish(pipeline, key, runId, text, rowsOmitted)
    } catch (error) {
      // The run's row keeps its lease: a re-send after it expired re-runs against the ledger.
      this.#deps.log.error(
        { err: error, pipeline },
        'could not store the answer of a keyed request',
      )
    }
  }
}

function inProgress(key: string): EngineError {
  return new EngineError(
    'REQUEST_IN_PROGRESS',
    `a request with the Idempotency-Key "${key}" is still running; retry after Retry-After for its answer`,
    { retryAfterSeconds: 1 },
  )
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
