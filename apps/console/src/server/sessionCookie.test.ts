import { describe, expect, it } from 'vitest'
import { cookieHeader, readCookie, servedOverHttps } from './sessionCookie'

describe('the session cookie', () => {
  it('is HttpOnly and SameSite=Lax, Secure only when the browser came over HTTPS', () => {
    const plain = cookieHeader('sluice_session', 'a/b', { secure: false, maxAgeSeconds: 43_200.7 })
    expect(plain).toBe('sluice_session=a%2Fb; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200')
    expect(cookieHeader('sluice_session', '', { secure: true, maxAgeSeconds: -5 })).toBe(
      'sluice_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure',
    )
    expect(servedOverHttps(new Request('https://sluice.example.com/'))).toBe(true)
    expect(
      servedOverHttps(
        new Request('http://127.0.0.1:3000/', { headers: { 'x-forwarded-proto': 'https, http' } }),
      ),
    ).toBe(true)
    expect(servedOverHttps(new Request('http://127.0.0.1:3000/'))).toBe(false)
    expect(readCookie('a=1; sluice_session=x%3Dy', 'sluice_session')).toBe('x=y')
    expect(readCookie(null, 'sluice_session')).toBeUndefined()
  })
})
