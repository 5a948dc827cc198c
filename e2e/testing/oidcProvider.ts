/*
 * Playwright's webServer for a small, real OpenID Connect provider on loopback (oidc-provider,
 * with its development login and consent pages: any login name signs in). Its one client is the
 * console; account `olivia` has the Sluice role operator in the `sluice_roles` claim, every other
 * account none. Run with `node --import tsx testing/oidcProvider.ts`.
 */
import { createServer } from 'node:http'
import Provider from 'oidc-provider'
import { e2eRun } from './e2eRun'

const run = e2eRun()
const oidc = run.oidc
if (!oidc) throw new Error('this run has no OpenID Connect provider')

/** The role claim of each account the tests sign in with. */
const roles: Record<string, string[]> = { olivia: ['operator'] }

const provider = new Provider(oidc.issuer, {
  clients: [
    {
      client_id: oidc.clientId,
      client_secret: oidc.clientSecret,
      redirect_uris: [`${run.consoleUrl}/auth/oidc/callback`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  scopes: ['openid', 'profile', 'sluice'],
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'], sluice: ['sluice_roles'] },
  findAccount: (_ctx, sub) => ({
    accountId: sub,
    claims: () => ({ sub, preferred_username: sub, name: sub, sluice_roles: roles[sub] ?? [] }),
  }),
  pkce: { required: () => true },
  cookies: { keys: [oidc.clientSecret] },
})
provider.on('server_error', (_ctx, error) => {
  process.stderr.write(`oidc provider: ${error.message}\n`)
})

const handle = provider.callback()
const server = createServer((request, response) => {
  void handle(request, response)
})
server.listen(oidc.port, '127.0.0.1', () => {
  process.stdout.write(`OpenID Connect provider on ${oidc.issuer}\n`)
})
const stop = () => {
  server.close(() => process.exit(0))
  server.closeAllConnections()
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
