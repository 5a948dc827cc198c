import { describe, expect, it } from 'vitest'
import { Ledger, outcomeOfResult } from './ledger'

describe('Ledger', () => {
  it('finds lost, duplicated, phantom, unknown and unanswered keys', () => {
    const ledger = new Ledger()
    for (const key of ['ok', 'lost', 'dup', 'phantom', 'maybe', 'silent']) ledger.issue(key)
    ledger.record('ok', 'succeeded')
    ledger.record('lost', 'succeeded')
    ledger.record('dup', 'no-answer')
    ledger.record('phantom', 'rejected')
    ledger.record('maybe', 'outcome-unknown')
    const verdict = ledger.verify(
      new Map([
        ['ok', 1],
        ['dup', 2],
        ['phantom', 1],
        ['maybe', 1],
        ['stranger', 1],
      ]),
    )
    expect(verdict.lost).toEqual(['lost'])
    expect(verdict.duplicated).toEqual(['dup'])
    expect(verdict.phantom).toEqual(['phantom'])
    expect(verdict.unknownKeys).toEqual(['stranger'])
    expect(verdict.unanswered).toEqual(['silent'])
    expect(verdict.byOutcome.succeeded).toBe(2)
  })

  it('flags a key given two different outcomes, and refuses keys it never issued', () => {
    const ledger = new Ledger()
    ledger.issue('k')
    ledger.record('k', 'failed')
    ledger.record('k', 'succeeded')
    expect(ledger.verify(new Map()).answeredTwice).toEqual(['k'])
    expect(() => {
      ledger.record('other', 'failed')
    }).toThrow(/never issued/)
    expect(() => {
      ledger.issue('k')
    }).toThrow(/twice/)
  })

  it('reads outcome-unknown from the error, whichever way it is said', () => {
    expect(outcomeOfResult({ status: 'failed', error: { outcomeUnknown: true } })).toBe(
      'outcome-unknown',
    )
    expect(outcomeOfResult({ status: 'failed', error: { code: 'OUTCOME_UNKNOWN' } })).toBe(
      'outcome-unknown',
    )
    expect(outcomeOfResult({ status: 'failed', error: { code: '23505' } })).toBe('failed')
    expect(outcomeOfResult({ status: 'rejected' })).toBe('rejected')
  })
})
