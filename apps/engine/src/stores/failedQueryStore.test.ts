import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../database/migrations'
import { createLogger } from '../logger'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { FailedQueryStore, type NewFailure } from './failedQueryStore'

let db: TestDatabase
let store: FailedQueryStore

const failure = (n: number): NewFailure => ({
  pipeline: 'paging',
  sql: 'INSERT INTO missing VALUES ($1)',
  params: [n],
  outcome: 'failed',
  error: { message: 'relation "missing" does not exist', code: '42P01' },
  attempts: 1,
  batchId: null,
  traceId: null,
  callbackId: `q-${n}`,
})

beforeAll(async () => {
  db = await createTestDatabase('engine')
  await migrate(db.pool, createLogger('silent'))
  store = new FailedQueryStore(db.pool)
})

afterAll(async () => {
  await db.drop()
})

describe('FailedQueryStore', () => {
  it('walks ids in numeric order, so paging crosses 9 → 10 without skipping or repeating', async () => {
    const recorded = await store.record(Array.from({ length: 25 }, (_, n) => failure(n)))
    const walked: string[] = []
    let after = '0'
    for (;;) {
      const page = await store.idsMatching({ status: 'failed' }, after, 4)
      if (page.length === 0) break
      walked.push(...page)
      after = page[page.length - 1] ?? after
    }
    expect(walked).toEqual([...recorded].sort((a, b) => Number(a) - Number(b)))
    expect(new Set(walked).size).toBe(25)
  })
})
