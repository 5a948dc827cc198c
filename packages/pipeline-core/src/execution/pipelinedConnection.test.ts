import { createTestSchema } from '@sluice/test-database'
import type { TestSchema } from '@sluice/test-database'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { PipelinedConnection, UNSENDABLE_PARAMETER } from './pipelinedConnection'

/*
 * A statement whose values will not convert gets its own error reply; the round trip and the
 * statements beside it go on (and a transaction around it aborts, as for any failing statement).
 */

let schema: TestSchema
beforeAll(async () => {
  schema = await createTestSchema('pipelined_connection')
})
afterAll(async () => schema.drop())

const unconvertible = {
  toPostgres(): string {
    throw new Error('no text form')
  },
}

async function withConnection<T>(use: (connection: PipelinedConnection) => Promise<T>): Promise<T> {
  const client = await schema.pool.connect()
  const connection = new PipelinedConnection(client, (destroy) => {
    client.release(destroy)
  })
  try {
    return await use(connection)
  } finally {
    connection.release()
  }
}

test('only the statement with an unconvertible value fails, naming the parameter', async () => {
  const replies = await withConnection((connection) =>
    connection.run([
      { text: 'SELECT $1::int AS v', values: [1] },
      { text: 'SELECT $1::int AS v, $2::text AS w', values: [2, unconvertible] },
      { text: 'SELECT $1::int AS v', values: [3] },
    ]),
  )
  expect(replies.map((reply) => reply.kind)).toEqual(['ok', 'error', 'ok'])
  const failed = replies[1]
  expect(failed?.kind === 'error' && failed.error.code).toBe(UNSENDABLE_PARAMETER)
  expect(failed?.kind === 'error' && failed.error.message).toContain('params[1]')
  expect(replies[2]?.kind === 'ok' && replies[2].rows).toEqual([{ v: 3 }])
})

test('inside BEGIN ... COMMIT it aborts the transaction like a server-side failure', async () => {
  await schema.pool.query('CREATE TABLE IF NOT EXISTS marks (id int)')
  const replies = await withConnection((connection) =>
    connection.run([
      { text: 'BEGIN', values: [] },
      { text: 'INSERT INTO marks VALUES ($1)', values: [1] },
      { text: 'INSERT INTO marks VALUES ($1)', values: [unconvertible] },
      { text: 'INSERT INTO marks VALUES ($1)', values: [3] },
      { text: 'COMMIT', values: [] },
    ]),
  )
  expect(replies.map((reply) => (reply.kind === 'error' ? reply.error.code : reply.kind))).toEqual([
    'ok',
    'ok',
    UNSENDABLE_PARAMETER,
    '25P02',
    'ok',
  ])
  expect(replies[4]?.kind === 'ok' && replies[4].command).toBe('ROLLBACK')
  expect((await schema.pool.query('SELECT count(*)::int AS n FROM marks')).rows).toEqual([{ n: 0 }])
})
