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

/*
 * A data exception (class 22: e.g. 22P05, jsonb refusing \u0000) or a value too large (class 54)
 * is about one record, not the store: worth finding that record. Anything else (a missing table,
 * no permission) fails every row alike.
 */
const recordSpecificSqlstate = /^(22|54)[0-9A-Z]{3}$/
const isRecordSpecific = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && recordSpecificSqlstate.test(code)
}

interface Waiting {
  readonly failures: readonly NewFailure[]
  readonly deadline: number
  resolve(ids: (string | undefined)[]): void
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
 * One bad record never takes the others down: when the coalesced insert fails with a data error
 * (class 22/54, e.g. jsonb refusing a NUL byte), the batch is split in halves until the record at
 * fault is alone; it is then stored in a marked form (`NewFailure.paramsUnstorable`: params as
 * their JSON text, or without params), and only if even that is refused is its id `undefined`.
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

  /**
   * Records failures; resolves with their ids in order once they are stored (`undefined` for a
   * record PostgreSQL refused even in its marked form).
   */
  record(failures: readonly NewFailure[]): Promise<(string | undefined)[]> {
    if (failures.length === 0) return Promise.resolve([])
    return new Promise<(string | undefined)[]>((resolve, reject) => {
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
          const stored = await this.#insertIsolating(all, ids, deadline)
          const recorded = ids.map((id, ord) => (stored[ord] ? id : undefined))
          let offset = 0
          for (const entry of batch) {
            entry.resolve(recorded.slice(offset, offset + entry.failures.length))
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

  /* Which rows are stored; halves the rows around a record-specific error (transient ones throw). */
  async #insertIsolating(
    rows: readonly NewFailure[],
    ids: readonly string[],
    deadline: number,
  ): Promise<boolean[]> {
    try {
      await this.#retrying(() => this.#store.insert(rows, ids), deadline)
      return rows.map(() => true)
    } catch (error) {
      if (!isRecordSpecific(error)) throw error
      const [row] = rows
      const [id] = ids
      if (rows.length === 1 && row && id !== undefined)
        return [await this.#insertMarked(row, id, error, deadline)]
      const half = Math.ceil(rows.length / 2)
      const head = await this.#insertIsolating(rows.slice(0, half), ids.slice(0, half), deadline)
      const tail = await this.#insertIsolating(rows.slice(half), ids.slice(half), deadline)
      return [...head, ...tail]
    }
  }

  /* The record PostgreSQL refused, marked: params as JSON text, else without them. */
  async #insertMarked(
    row: NewFailure,
    id: string,
    refusal: unknown,
    deadline: number,
  ): Promise<boolean> {
    const code = (refusal as { code?: unknown }).code
    const marker = {
      message: refusal instanceof Error ? refusal.message : String(refusal),
      ...(typeof code === 'string' ? { code } : {}),
    }
    for (const kept of [true, false]) {
      try {
        const marked: NewFailure = { ...row, paramsUnstorable: { ...marker, kept } }
        await this.#retrying(() => this.#store.insert([marked], [id]), deadline)
        return true
      } catch (error) {
        if (!isRecordSpecific(error)) throw error
      }
    }
    return false
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
