import { describe, expect, it } from 'vitest'
import { EnvError, loadEnv } from './env'
import { parseTargets } from './targets/targetDefinitions'
import { authSettingsFromEnv } from './auth/authEnv'
import { roleFromClaim } from './auth/oidcSignIn'

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

describe('the sign-in, token and audit variables', () => {
  it('reads named tokens with their roles, OpenID Connect, session and retention settings', () => {
    const env = loadEnv(
      {
        SLUICE_API_TOKENS:
          '{"deploy":"0123456789abcdef0123","ci":{"token":"fedcba9876543210fedc","role":"operator"}}',
        SLUICE_OIDC_ISSUER: 'https://id.example.com/realms/ops',
        SLUICE_OIDC_CLIENT_ID: 'sluice',
        SLUICE_OIDC_CLIENT_SECRET: 'secret',
        SLUICE_SESSION_HOURS: '8',
        SLUICE_VIEWERS_SEE_PARAMS: 'yes',
      },
      [],
    )
    const { apiTokens, auth } = authSettingsFromEnv(env)
    expect(apiTokens).toEqual([
      { name: 'deploy', token: '0123456789abcdef0123', role: 'admin' },
      { name: 'ci', token: 'fedcba9876543210fedc', role: 'operator' },
    ])
    expect(auth).toMatchObject({
      oidc: {
        issuer: 'https://id.example.com/realms/ops',
        rolesClaim: 'roles',
        label: 'OpenID Connect',
      },
      sessionHours: 8,
      viewersSeeParams: true,
      auditRetentionDays: 365,
    })
  })

  it('names what is wrong: bad token JSON, a short token, half an OpenID Connect set-up, plain http', () => {
    const message = (variables: Record<string, string>) => {
      try {
        loadEnv(variables, [])
        return ''
      } catch (error) {
        return (error as Error).message
      }
    }
    expect(message({ SLUICE_API_TOKENS: '{deploy}' })).toContain('SLUICE_API_TOKENS must be JSON')
    expect(message({ SLUICE_API_TOKENS: '{"ci":"short"}' })).toContain(
      'the token of "ci" must be at least 16 characters',
    )
    expect(
      message({ SLUICE_API_TOKENS: '{"ci":{"token":"0123456789abcdef0","role":"root"}}' }),
    ).toContain('must map names to tokens')
    expect(message({ SLUICE_OIDC_ISSUER: 'https://id.example.com' })).toContain(
      'SLUICE_OIDC_CLIENT_ID: SLUICE_OIDC_CLIENT_ID is required with SLUICE_OIDC_ISSUER',
    )
    expect(
      message({
        SLUICE_OIDC_ISSUER: 'http://id.example.com',
        SLUICE_OIDC_CLIENT_ID: 'a',
        SLUICE_OIDC_CLIENT_SECRET: 'b',
      }),
    ).toContain('http:// only on a loopback address')
    expect(message({ SLUICE_SESSION_HOURS: '0' })).toContain(
      'SLUICE_SESSION_HOURS must be a whole number from 1 to 720',
    )
  })

  it('takes the strongest Sluice role an OpenID Connect claim names', () => {
    expect(roleFromClaim(['viewer', 'operator'])).toBe('operator')
    expect(roleFromClaim('Admin other')).toBe('admin')
    expect(roleFromClaim(['ops'])).toBeUndefined()
    expect(roleFromClaim(undefined)).toBeUndefined()
  })
})
