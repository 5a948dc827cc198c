/*
 * Seeded random workloads for the differential test: runs of same-text statements (so merges
 * happen), identical repeats (so dedupes happen), read-after-write on the same keys, and
 * failures (unique and check violations, division by zero, a syntax error, a missing table).
 */

/** A deterministic PRNG (mulberry32): the same seed gives the same workload. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** One query of a workload. */
export interface WorkloadQuery {
  readonly sql: string
  readonly params: unknown[]
}

/** The tables workloads use. */
export const WORKLOAD_TABLES_DDL = `
CREATE TABLE kv (id int PRIMARY KEY, v int NOT NULL CHECK (v >= 0), tag text);
CREATE TABLE log (id int PRIMARY KEY, k int, note varchar(8));
CREATE TABLE bulk (id int PRIMARY KEY, v int CHECK (v >= 0));`

/** Starting rows, restored before each workload. */
export const WORKLOAD_RESET = `
TRUNCATE kv, log, bulk;
INSERT INTO kv SELECT g, 100, 't' || g FROM generate_series(1, 20) g;
INSERT INTO log SELECT g, g, 'n' || g FROM generate_series(1, 5) g;
INSERT INTO bulk SELECT g, 0 FROM generate_series(1, 3) g;`

/** Final contents to compare. */
export const WORKLOAD_TABLES = ['kv', 'log', 'bulk'] as const

export interface WorkloadOptions {
  /** Chance that a generated statement is meant to fail (0..1). */
  readonly failureRate: number
  /**
   * Independent queries only (for parallel over several connections, where queries run in no
   * fixed order): every written key is written once and never read.
   */
  readonly independent: boolean
  readonly length: number
}

interface Kind {
  readonly weight: number
  readonly make: (random: () => number, fail: boolean) => WorkloadQuery
}

/**
 * A workload of `length` queries. With `independent`, keys are drawn without repetition from
 * disjoint ranges so no two queries touch the same row.
 */
export function randomWorkload(seed: number, options: WorkloadOptions): WorkloadQuery[] {
  const random = seededRandom(seed)
  const int = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1))
  let fresh = 1_000
  let bulkId = 10
  const usedKeys = new Set<number>()
  // Keys written by independent workloads: unique, above the rows reads may look at.
  const uniqueKey = (): number => {
    let key = int(21, 400)
    while (usedKeys.has(key)) key = int(21, 400)
    usedKeys.add(key)
    return key
  }
  const key = (): number => (options.independent ? uniqueKey() : int(1, 30))
  const readKey = (): number => (options.independent ? int(1, 20) : int(1, 30))
  const kinds: Kind[] = [
    {
      weight: 4,
      make: (_, fail) => ({
        sql: 'INSERT INTO kv (id, v, tag) VALUES ($1, $2, $3)',
        params: [
          fail ? int(1, 20) : options.independent ? uniqueKey() : int(21, 60),
          int(0, 50),
          `i${String(int(0, 9))}`,
        ],
      }),
    },
    {
      weight: 3,
      make: (_, fail) => ({
        sql: 'INSERT INTO log (id, k, note) VALUES ($1, $2, $3) RETURNING id, note',
        params: [
          fail ? int(1, 5) : fresh++,
          int(1, 30),
          fail && random() < 0.5 ? 'much too long' : `r${String(int(0, 99))}`,
        ],
      }),
    },
    {
      weight: 2,
      make: (_, fail) => ({
        sql: 'INSERT INTO kv (id, v, tag) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
        params: [key(), fail ? -1 : int(0, 50), 'n'],
      }),
    },
    {
      weight: 2,
      make: (_, fail) => ({
        sql: "INSERT INTO kv (tag, id, v) VALUES ($3, $1, $2) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v + kv.v, tag = 'up' WHERE kv.v < 400",
        params: [key(), fail ? -1 : int(0, 200), random() < 0.2 ? null : 'x'],
      }),
    },
    {
      weight: 3,
      make: (_, fail) => {
        const k = key()
        // A non-canonical spelling of a key ('07') may not join a merged UPDATE; it must still behave.
        return {
          sql: 'UPDATE kv SET v = $1 WHERE id = $2',
          params: [fail ? -1 : int(0, 500), random() < 0.1 ? `0${String(k)}` : k],
        }
      },
    },
    {
      weight: 2,
      make: (_, fail) => ({
        sql: "UPDATE kv SET tag = 'u', v = $1 WHERE id = $2",
        params: [fail ? -5 : int(0, 9), key()],
      }),
    },
    {
      weight: 2,
      make: (_, fail) => ({
        sql: 'UPDATE kv SET v = v - $1, tag = tag || $2 WHERE id = $3',
        params: [fail ? 1_000 : int(-20, 20), random() < 0.1 ? null : '+', key()],
      }),
    },
    {
      weight: 4,
      make: () => {
        // Keys as JavaScript sends them: numbers, strings (canonical or not), now and then null.
        const roll = random()
        const k = readKey()
        return {
          sql: 'SELECT id, v, tag FROM kv WHERE id = $1',
          params: [roll < 0.05 ? null : roll < 0.15 ? `0${String(k)}` : roll < 0.3 ? String(k) : k],
        }
      },
    },
    {
      weight: 2,
      make: () => ({
        sql: 'SELECT note FROM log WHERE id = $1',
        params: [options.independent ? int(1, 5) : int(1, 8)],
      }),
    },
    {
      weight: 2,
      make: () => {
        const low = options.independent ? int(1, 15) : int(1, 40)
        return {
          sql: 'SELECT id, v FROM kv WHERE id BETWEEN $1 AND $2 ORDER BY id',
          params: [low, low + int(0, 5)],
        }
      },
    },
    {
      weight: 1,
      make: () => ({
        sql: 'SELECT count(*)::int AS n, sum(v)::int AS s FROM kv WHERE id <= $1',
        params: [options.independent ? 20 : int(1, 60)],
      }),
    },
    { weight: 2, make: () => ({ sql: 'DELETE FROM kv WHERE id = $1', params: [key()] }) },
    {
      weight: 1,
      make: () => {
        const which = int(0, 2)
        if (which === 0) return { sql: 'SELECT 10 / $1::int AS x', params: [0] }
        if (which === 1) return { sql: 'SELEC id FROM kv', params: [] }
        return { sql: 'SELECT * FROM no_such_table WHERE id = $1', params: [1] }
      },
    },
  ]
  const total = kinds.reduce((sum, kind) => sum + kind.weight, 0)
  const pick = (): Kind => {
    let roll = random() * total
    for (const kind of kinds) {
      roll -= kind.weight
      if (roll < 0) return kind
    }
    return kinds[0] as Kind
  }
  const queries: WorkloadQuery[] = []
  while (queries.length < options.length) {
    const roll = random()
    const earlierRead = queries.filter((query) => query.sql.startsWith('SELECT'))
    if (roll < 0.12 && earlierRead.length > 0) {
      // An identical repeat of an earlier read, right away or later.
      const copy = earlierRead[int(0, earlierRead.length - 1)] as WorkloadQuery
      queries.push({ sql: copy.sql, params: [...copy.params] })
      continue
    }
    if (roll < 0.15) {
      // Now and then a long run of plain INSERTs: long enough for the unnest form.
      const run = int(50, 60)
      for (let i = 0; i < run && queries.length < options.length + 60; i++) {
        const failing = random() < options.failureRate / 4
        queries.push({
          sql: 'INSERT INTO bulk (id, v) VALUES ($1, $2)',
          params: [failing ? int(1, 3) : bulkId++, failing && random() < 0.5 ? -1 : int(0, 9)],
        })
      }
      continue
    }
    // A run of the same statement with different parameters: what merging feeds on.
    const kind = pick()
    const run = int(1, 8)
    for (let i = 0; i < run && queries.length < options.length; i++) {
      const failing = kind.weight > 1 && random() < options.failureRate
      // Statements that always fail (the last kind) are rare singles.
      if (kind === kinds[kinds.length - 1] && random() < 0.5 && i > 0) break
      queries.push(kind.make(random, failing))
    }
  }
  return queries
}
