import { describe, expect, it } from 'vitest'
import { crossSiteRefusal } from './crossSite'

const host = '127.0.0.1:4000'

describe('crossSiteRefusal', () => {
  it('lets through what applications and the server’s own pages send', () => {
    for (const headers of [
      { host, secFetchSite: undefined, origin: undefined },
      { host, secFetchSite: null, origin: null },
      { host, secFetchSite: 'same-origin', origin: 'http://127.0.0.1:4000' },
      { host: 'LocalHost:4000', secFetchSite: 'none', origin: 'http://localhost:4000' },
    ])
      expect(crossSiteRefusal(headers)).toBeUndefined()
  })

  it('refuses a browser’s request for another site by Sec-Fetch-Site', () => {
    for (const secFetchSite of ['cross-site', 'same-site', 'something-else'])
      expect(crossSiteRefusal({ host, secFetchSite, origin: undefined })).toBe(
        'cross-site requests from a browser are refused',
      )
  })

  it('refuses an Origin that is not where the request was sent, naming it', () => {
    expect(
      crossSiteRefusal({ host, secFetchSite: undefined, origin: 'https://attacker.example' }),
    ).toBe('requests from the page of https://attacker.example are refused')
    expect(
      crossSiteRefusal({ host, secFetchSite: undefined, origin: 'http://127.0.0.1:4001' }),
    ).toBe('requests from the page of http://127.0.0.1:4001 are refused')
    expect(crossSiteRefusal({ host, secFetchSite: undefined, origin: 'null' })).toBe(
      'requests from the page of null are refused',
    )
    expect(
      crossSiteRefusal({
        host: undefined,
        secFetchSite: undefined,
        origin: 'http://127.0.0.1:4000',
      }),
    ).toBe('requests from the page of http://127.0.0.1:4000 are refused')
  })
})
