import { TRPCClientError } from '@trpc/client'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Engine } from '../../engine'
import { engineClient, postJson, startTestEngine } from '../../testing/engineHarness'

/*
 * Paging through failed queries by cursor while new failures keep arriving: every failure that
 * existed when paging began is seen exactly once.
 */

let db: TestDatabase
let engine: Engine
let client: ReturnType<typeof engineClient>

async function fail(count: number, from: number): Promise<void> {
  const queries = Array.from({ length: count }, (_, i) => ({
    sql: 'SELECT $1::int / 0 AS boom',
    params: [from + i],
  }))
  const answer = await postJson(`${engine.url}/v1/pipelines/paged/queries`, { queries })
  expect(answer.status).toBe(200)
}

beforeAll(async () => {
  db = await createTestDatabase('engine_failure_paging')
  engine = await startTestEngine(db.url)
  client = engineClient(engine.url)
  await client.pipelines.create.mutate({ name: 'paged', config: { flushIntervalMs: 5 } })
  await fail(7, 0)
})
afterAll(async () => {
  await engine.stop()
  await db.drop()
})

it('pages by cursor without skipping or repeating, even as new failures arrive', async () => {
  const seen: string[] = []
  let cursor: string | undefined
  let pages = 0
  do {
    const page = await client.failures.list.query({ limit: 3, ...(cursor ? { cursor } : {}) })
    seen.push(...page.items.map((item) => item.id))
    cursor = page.nextCursor ?? undefined
    pages += 1
    // Failures arriving mid-way are newer than every cursor: they land on page one, not here.
    if (pages === 1) await fail(4, 100)
  } while (cursor !== undefined)
  expect(pages).toBe(3)
  expect(seen).toHaveLength(7)
  expect(new Set(seen).size).toBe(7)
  const newest = await client.failures.list.query({ limit: 50 })
  expect(newest.total).toBe(11)
  expect(newest.nextCursor).toBeNull()
  // Newest first: the four that arrived while paging lead the list.
  expect(newest.items.slice(4).map((item) => item.id)).toEqual(seen)
})

it('refuses a cursor with an offset, or a cursor it did not hand out', async () => {
  const page = await client.failures.list.query({ limit: 2 })
  const cursor = page.nextCursor ?? ''
  for (const input of [{ cursor, offset: 2 }, { cursor: 'page-2' }]) {
    const error = await client.failures.list.query(input).then(
      () => undefined,
      (reason: unknown) => reason,
    )
    expect(error).toBeInstanceOf(TRPCClientError)
    expect((error as TRPCClientError<never>).message).toMatch(
      /give offset or cursor, not both|must be a nextCursor from failures.list/,
    )
  }
})
