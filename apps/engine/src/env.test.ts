import { describe, expect, it } from 'vitest'
import { EnvError, loadEnv } from './env'
import { parseTargets } from './targets/targetDefinitions'

describe('loadEnv', () => {
  it('fills defaults', () => {
    const env = loadEnv({}, [])
    expect(env).toMatchObject({
      SLUICE_PORT: 4000,
      SLUICE_HOST: '127.0.0.1',
      JAEGER_UI_URL: 'http://localhost:16686',
      SLUICE_MAX_BODY_BYTES: 4 * 1024 * 1024,
      demo: false,
    })
    expect(env.DATABASE_URL).toBeUndefined()
  })

  it('turns the demo on with --demo or SLUICE_DEMO', () => {
    expect(loadEnv({}, ['node', 'main.ts', '--demo']).demo).toBe(true)
    expect(loadEnv({ SLUICE_DEMO: 'true' }, []).demo).toBe(true)
    expect(loadEnv({ SLUICE_DEMO: '0' }, []).demo).toBe(false)
  })

  it('lists every bad variable with what is wrong', () => {
    let message = ''
    try {
      loadEnv(
        {
          SLUICE_PORT: 'http',
          DATABASE_URL: 'mysql://x',
          SLUICE_API_TOKEN: 'short',
          SLUICE_DEMO: 'maybe',
          JAEGER_UI_URL: 'jaeger',
        },
        [],
      )
    } catch (error) {
      expect(error).toBeInstanceOf(EnvError)
      message = (error as Error).message
    }
    expect(message).toContain('SLUICE_PORT: SLUICE_PORT must be a port number 0..65535')
    expect(message).toContain(
      'DATABASE_URL: DATABASE_URL must be a postgres:// or postgresql:// connection string',
    )
    expect(message).toContain('SLUICE_API_TOKEN: SLUICE_API_TOKEN must be at least 16 characters')
    expect(message).toContain('SLUICE_DEMO must be one of')
    expect(message).toContain('JAEGER_UI_URL must be an http:// or https:// URL')
  })
})

describe('parseTargets', () => {
  it('reads names to URLs or to { url, description }', () => {
    expect(
      parseTargets(
        '{"a":"postgres://u:p@h/db","b":{"url":"postgresql://h2/x","description":"reports"}}',
      ),
    ).toEqual([
      { name: 'a', url: 'postgres://u:p@h/db', description: null },
      { name: 'b', url: 'postgresql://h2/x', description: 'reports' },
    ])
    expect(parseTargets(undefined)).toEqual([])
  })

  it('names the bad target without echoing its connection string', () => {
    expect(() => parseTargets('not json')).toThrow('SLUICE_TARGETS must be a JSON object')
    const attempt = () =>
      parseTargets('{"good":"postgres://h/db","bad":"mysql://user:hunter2@h/db"}')
    expect(attempt).toThrow(
      'target "bad": must be a postgres:// or postgresql:// connection string',
    )
    expect(attempt).not.toThrow('hunter2')
    expect(() => parseTargets('{"no spaces":"postgres://h/db"}')).toThrow(
      'name may hold only letters',
    )
  })
})
