import { expect, test } from 'vitest'
import type { PlannedStatement, QueryShare } from '../plan/plan'
import { BatchLedger } from './batchLedger'
import type { StatementReply } from './statementReply'

/*
 * A statement that ran but whose result cannot be handed back (a merged INSERT reporting fewer
 * rows than queries, e.g. because a trigger appeared after planning) has been applied: its
 * queries must end outcome-unknown, never as plain failures a caller would retry.
 */

function statement(distribute: () => QueryShare[]): PlannedStatement {
  return {
    kind: 'merged_insert',
    text: 'INSERT ...',
    values: [],
    queryIndexes: [0, 1],
    mergedOperations: 2,
    distribute,
    split: () => undefined,
  }
}

const ran: Extract<StatementReply, { kind: 'ok' }> = {
  kind: 'ok',
  rows: [],
  rowCount: 1,
  command: 'INSERT',
}

test('a result that cannot be distributed leaves its queries outcome-unknown', () => {
  const ledger = new BatchLedger(2)
  ledger.settleSucceeded(
    statement(() => {
      throw new Error('merged INSERT of 2 rows reported 1 rows')
    }),
    ran,
  )
  for (const index of [0, 1]) {
    const outcome = ledger.outcome(index)
    expect(outcome?.status).toBe('failed')
    expect(outcome?.error).toMatchObject({
      code: 'OUTCOME_UNKNOWN',
      outcomeUnknown: true,
      detail: 'merged INSERT of 2 rows reported 1 rows',
    })
  }
})

test('a query the result gives no share is outcome-unknown too; the others succeed', () => {
  const ledger = new BatchLedger(2)
  ledger.settleSucceeded(
    statement(() => [{ rows: [], rowCount: 1 }]),
    ran,
  )
  expect(ledger.outcome(0)?.status).toBe('succeeded')
  expect(ledger.outcome(1)?.error).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcomeUnknown: true })
})
