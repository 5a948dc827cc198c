import 'server-only'
import { z } from 'zod'

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })

const schema = z.object({
  /** Where the engine serves tRPC; the console adds `/trpc`. Defaults to the engine's own default port. */
  SLUICE_ENGINE_URL: url.optional(),
  /** Only used to build the default engine URL when SLUICE_ENGINE_URL is unset. */
  SLUICE_PORT: z.coerce.number().int().min(1).max(65_535).default(4000),
  /** Sent to the engine by the console's server; never reaches the browser. */
  SLUICE_API_TOKEN: z.string().min(1).optional(),
  /** Host names the console is served under besides localhost, comma-separated (behind a proxy). */
  SLUICE_CONSOLE_HOSTS: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(,[A-Za-z0-9.-]+)*$/, {
      error: 'must be host names separated by commas, e.g. sluice.example.com,ops.example.com',
    })
    .optional(),
})

function readEnv() {
  // An empty variable means "not set", as in most shells' `VAR= cmd`.
  const raw = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ''))
  const parsed = schema.safeParse(raw)
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.')}: ${issue.message}`,
    )
    throw new Error(`Invalid console environment:\n${problems.join('\n')}`)
  }
  const { SLUICE_ENGINE_URL, SLUICE_PORT, SLUICE_API_TOKEN, SLUICE_CONSOLE_HOSTS } = parsed.data
  return Object.freeze({
    engineUrl: (SLUICE_ENGINE_URL ?? `http://127.0.0.1:${SLUICE_PORT}`).replace(/\/+$/, ''),
    apiToken: SLUICE_API_TOKEN,
    servedHosts: Object.freeze(SLUICE_CONSOLE_HOSTS?.toLowerCase().split(',') ?? []),
  })
}

/**
 * The console's server-side configuration, read from the environment once and validated.
 *
 * @example
 * import { env } from '~/env'
 * await fetch(`${env.engineUrl}/healthz`)
 */
export const env = readEnv()
