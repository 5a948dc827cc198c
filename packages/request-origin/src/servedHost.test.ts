import { describe, expect, it } from 'vitest'
import { isLoopbackHost } from './loopbackHost'
import { isServedHost } from './servedHost'

describe('isServedHost', () => {
  it('accepts loopback names and the configured ones, nothing else', () => {
    expect(
      ['localhost:3000', '127.0.0.1', 'console.localhost:80', '[::1]:3000'].map((h) =>
        isServedHost(h, []),
      ),
    ).toEqual([true, true, true, true])
    expect(isServedHost('sluice.example.com', ['sluice.example.com'])).toBe(true)
    expect(isServedHost('sluice.example.com:8443', ['sluice.example.com'])).toBe(true)
    expect(isServedHost('127.0.0.1.attacker.example', [])).toBe(false)
    expect(isServedHost('attacker.example', ['sluice.example.com'])).toBe(false)
    expect(isServedHost(null, [])).toBe(false)
  })
})

describe('isLoopbackHost', () => {
  it('accepts only names that cannot be rebound to another host', () => {
    expect(
      ['LOCALHOST:4000', '127.1.2.3:80', 'engine.localhost', '[::1]'].map(isLoopbackHost),
    ).toEqual([true, true, true, true])
    expect(
      [
        'attacker.example:4000',
        'localhost.attacker.example',
        '127.0.0.1.nip.io',
        '10.0.0.1',
        'http://',
        '',
        undefined,
      ].map(isLoopbackHost),
    ).toEqual([false, false, false, false, false, false, false])
  })
})
