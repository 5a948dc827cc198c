import { failureFilterSchema } from '@sluice/contract'
import { describe, expect, it } from 'vitest'
import {
  defaultFilterParams,
  failuresPageRequest,
  readFilterParams,
  toFilterInput,
  writeFilterParams,
} from './failureFilterParams'

describe('failure filter in the URL', () => {
  it('defaults to failing queries only, first page', () => {
    expect(readFilterParams(new URLSearchParams())).toEqual({
      pipeline: '',
      sqlstate: '',
      text: '',
      params: '',
      callbackId: '',
      status: 'failed',
      from: '',
      to: '',
      trail: [],
    })
  })

  it('writes only what differs from the defaults and reads it back', () => {
    const params = {
      ...readFilterParams(new URLSearchParams()),
      pipeline: 'orders',
      text: 'duplicate key',
      callbackId: 'order-7',
      status: 'any' as const,
      trail: ['1795000000000001.42', '1795000000000000.17'],
    }
    const query = writeFilterParams(params)
    expect(query).toBe(
      'pipeline=orders&text=duplicate+key&callbackId=order-7&status=any&after=1795000000000001.42%2C1795000000000000.17',
    )
    expect(readFilterParams(new URLSearchParams(query))).toEqual(params)
    expect(writeFilterParams(readFilterParams(new URLSearchParams()))).toBe('')
  })

  it('ignores nonsense in the URL instead of failing', () => {
    expect(
      readFilterParams(new URLSearchParams('status=everything&after=1795000000000001.42,page-2')),
    ).toMatchObject({ status: 'failed', trail: [] })
  })

  it('becomes the engine filter: SQLSTATE upper-cased, times as ISO instants, blanks left out', () => {
    const input = toFilterInput({
      pipeline: '',
      sqlstate: ' 23p01 ',
      text: '  ',
      params: '',
      callbackId: ' cb-7 ',
      status: 'failed',
      from: '2026-11-26T18:00',
      to: '',
      trail: [],
    })
    expect(input).toMatchObject({
      callbackId: 'cb-7',
      params: undefined,
      sqlstate: '23P01',
      status: 'failed',
      pipeline: undefined,
      text: undefined,
      to: undefined,
    })
    expect(input.from).toBe(new Date('2026-11-26T18:00').toISOString())
    expect(failureFilterSchema.safeParse(input).success).toBe(true)
  })

  it('leaves a malformed SQLSTATE for the engine schema to name', () => {
    const result = failureFilterSchema.safeParse(
      toFilterInput({ ...readFilterParams(new URLSearchParams()), sqlstate: '235' }),
    )
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.message).toMatch(/5-character SQLSTATE/)
  })
})

describe('failuresPageRequest', () => {
  it('asks for the page the trail points at, with the engine’s defaults filled in', () => {
    const request = failuresPageRequest({
      ...readFilterParams(new URLSearchParams('pipeline=orders')),
      trail: ['1795000000000001.42', '1795000000000000.17'],
    })
    expect(request.list).toEqual({
      pipeline: 'orders',
      status: 'failed',
      limit: 25,
      cursor: '1795000000000000.17',
    })
    expect(request.errors).toEqual({})
  })

  it('asks for nothing while the filter is wrong, and names the field', () => {
    const request = failuresPageRequest({ ...defaultFilterParams, sqlstate: '235' })
    expect(request.list).toBeNull()
    expect(request.errors.sqlstate).toMatch(/5-character SQLSTATE/)
  })
})
