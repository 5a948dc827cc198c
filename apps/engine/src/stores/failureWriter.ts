import type { FailedQueryStore, NewFailure } from './failedQueryStore'

/** How long and how hard the writer tries before it gives up on a record. */
export interface FailureWriterOptions {
  /** Total time one record may take, retries included (the ingest answer waits for it). */
  readonly budgetMs?: number
  readonly baseDelayMs?: number
  readonly maxDelayMs?: number
  /** Most failures written by one statement. */
  readonly maxRowsPerStatement?: number
}

const defaults = {
  budgetMs: 10_000,
  baseDelayMs: 25,
  maxDelayMs: 1_000,
  maxRowsPerStatement: 2_000,
}

/* Class 08 (but not 08P01, a protocol violation that fails every time). */
const transientSqlstate = /^(53300|53400|57P0[123]|08(?!P01)[0-9A-Z]{3})$/
const transientErrno = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN'])
// node-postgres reports some connection losses without a code.
const transientMessage =
  /Connection terminated|timeout exceeded when trying to connect|connection error|Client was closed/i

/** Whether writing the store may work if tried again: the database is busy, restarting or unreachable. */
export function isTransientStoreError(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && (transientSqlstate.test(code) || transientErrno.has(code)))
    return true
  return code === undefined && transientMessage.test(error.message)
}

interface Waiting {
  readonly failures: readonly NewFailure[]
  readonly deadline: number
  resolve(ids: string[]): void
  reject(error: unknown): void
}

/**
 * Writes failed queries to the store, with the store's promise ("recorded before answered") kept
 * under pressure: concurrent records are coalesced into one statement, and transient errors (out
 * of connections 53300, server restarting 57P0x, connection lost 08xxx) are retried with
 * exponential backoff within `budgetMs`. Retrying is safe: ids are reserved first and the insert
 * skips ids already there. After the budget the promise rejects; the caller must then say the
 * failure is not recorded.
 *
 * @example
 * const writer = new FailureWriter(new FailedQueryStore(recordPool))
 * const ids = await writer.record([failure])
 */
export class FailureWriter {
  readonly #store: FailedQueryStore
  readonly #options: Required<FailureWriterOptions>
  readonly #waiting: Waiting[] = []
  #writing = false

  constructor(store: FailedQueryStore, options: FailureWriterOptions = {}) {
    this.#store = store
    this.#options = { ...defaults, ...options }
  }

  /** Records failures; resolves with their ids in order once they are stored. */
  record(failures: readonly NewFailure[]): Promise<string[]> {
    if (failures.length === 0) return Promise.resolve([])
    return new Promise<string[]>((resolve, reject) => {
      this.#waiting.push({
        failures,
        deadline: Date.now() + this.#options.budgetMs,
        resolve,
        reject,
      })
      void this.#drain()
    })
  }

  async #drain(): Promise<void> {
    if (this.#writing) return
    this.#writing = true
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#takeBatch()
        const all = batch.flatMap((entry) => entry.failures)
        const deadline = Math.min(...batch.map((entry) => entry.deadline))
        try {
          const ids = await this.#retrying(() => this.#store.reserveIds(all.length), deadline)
          await this.#retrying(() => this.#store.insert(all, ids), deadline)
          let offset = 0
          for (const entry of batch) {
            entry.resolve(ids.slice(offset, offset + entry.failures.length))
            offset += entry.failures.length
          }
        } catch (error) {
          for (const entry of batch) entry.reject(error)
        }
      }
    } finally {
      this.#writing = false
    }
  }

  /* Whole requests only (one request's failures are never split); at least one. */
  #takeBatch(): Waiting[] {
    const batch: Waiting[] = []
    let rows = 0
    while (this.#waiting.length > 0) {
      const next = this.#waiting[0]
      if (!next) break
      if (batch.length > 0 && rows + next.failures.length > this.#options.maxRowsPerStatement) break
      batch.push(next)
      rows += next.failures.length
      this.#waiting.shift()
    }
    return batch
  }

  async #retrying<T>(write: () => Promise<T>, deadline: number): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await write()
      } catch (error) {
        const delay = Math.min(
          this.#options.maxDelayMs,
          this.#options.baseDelayMs * 2 ** attempt * (0.5 + Math.random()),
        )
        if (!isTransientStoreError(error) || Date.now() + delay > deadline) throw error
        await new Promise((resolve) => setTimeout(resolve, delay))
      }
    }
  }
}
