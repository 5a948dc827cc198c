/**
 * How a query ended, as its caller was told.
 * - `succeeded`: the answer said so: the row must be there exactly once.
 * - `failed`, `rolled_back`, `skipped`, `rejected` (refused before acceptance, e.g. 429): it must
 *   not be there.
 * - `outcome-unknown` (a lost COMMIT answer, said so) and `no-answer` (the connection or the
 *   engine died first): there at most once.
 */
export type Outcome =
  'succeeded' | 'failed' | 'rolled_back' | 'skipped' | 'rejected' | 'outcome-unknown' | 'no-answer'

/** What a ledger check found: every list must be empty for the promise to hold. */
export interface LedgerVerdict {
  readonly issued: number
  readonly byOutcome: Readonly<Record<Outcome, number>>
  /** Said succeeded, not in the table. */
  readonly lost: string[]
  /** In the table more than once. */
  readonly duplicated: string[]
  /** Said failed / rolled back / skipped / rejected, yet in the table. */
  readonly phantom: string[]
  /** In the table, never issued by this run (a mixed-up key). */
  readonly unknownKeys: string[]
  /** Issued, but no outcome was ever recorded. */
  readonly unanswered: string[]
  /** Given two different outcomes. */
  readonly answeredTwice: string[]
}

const mustBeAbsent: ReadonlySet<Outcome> = new Set(['failed', 'rolled_back', 'skipped', 'rejected'])

/**
 * Remembers the unique key of every query a test sent and what its caller was told, then checks
 * the table: the exactly-once promise in numbers.
 *
 * @example
 * const ledger = new Ledger()
 * ledger.issue('k1'); ledger.record('k1', 'succeeded')
 * const verdict = ledger.verify(new Map([['k1', 1]]))
 */
export class Ledger {
  readonly #outcomes = new Map<string, Outcome | undefined>()
  readonly #answeredTwice = new Set<string>()

  issue(key: string): void {
    if (this.#outcomes.has(key)) throw new Error(`key issued twice: ${key}`)
    this.#outcomes.set(key, undefined)
  }

  record(key: string, outcome: Outcome): void {
    if (!this.#outcomes.has(key)) throw new Error(`outcome for a key never issued: ${key}`)
    const previous = this.#outcomes.get(key)
    if (previous !== undefined && previous !== outcome) this.#answeredTwice.add(key)
    this.#outcomes.set(key, outcome)
  }

  outcomeOf(key: string): Outcome | undefined {
    return this.#outcomes.get(key)
  }

  keys(outcome?: Outcome): string[] {
    return [...this.#outcomes]
      .filter(([, o]) => outcome === undefined || o === outcome)
      .map(([k]) => k)
  }

  get size(): number {
    return this.#outcomes.size
  }

  /** Compares with `rowsPerKey` (how many rows the table holds per key). */
  verify(rowsPerKey: ReadonlyMap<string, number>): LedgerVerdict {
    const byOutcome: Record<Outcome, number> = {
      succeeded: 0,
      failed: 0,
      rolled_back: 0,
      skipped: 0,
      rejected: 0,
      'outcome-unknown': 0,
      'no-answer': 0,
    }
    const lost: string[] = []
    const phantom: string[] = []
    const unanswered: string[] = []
    for (const [key, outcome] of this.#outcomes) {
      const rows = rowsPerKey.get(key) ?? 0
      if (outcome === undefined) {
        unanswered.push(key)
        continue
      }
      byOutcome[outcome] += 1
      if (outcome === 'succeeded' && rows === 0) lost.push(key)
      if (mustBeAbsent.has(outcome) && rows > 0) phantom.push(key)
    }
    const duplicated = [...rowsPerKey].filter(([, rows]) => rows > 1).map(([key]) => key)
    const unknownKeys = [...rowsPerKey.keys()].filter((key) => !this.#outcomes.has(key))
    return {
      issued: this.#outcomes.size,
      byOutcome,
      lost,
      duplicated,
      phantom,
      unknownKeys,
      unanswered,
      answeredTwice: [...this.#answeredTwice],
    }
  }
}

/** The outcome a `QueryResult`-shaped object reports. */
export function outcomeOfResult(result: {
  status: string
  error?: { code?: string; outcomeUnknown?: boolean }
}): Outcome {
  switch (result.status) {
    case 'succeeded':
      return 'succeeded'
    case 'rolled_back':
      return 'rolled_back'
    case 'skipped':
      return 'skipped'
    // The engine's answer for a query of a request it could only partly admit: never ran.
    case 'rejected':
      return 'rejected'
    default:
      return result.error?.outcomeUnknown === true || result.error?.code === 'OUTCOME_UNKNOWN'
        ? 'outcome-unknown'
        : 'failed'
  }
}
