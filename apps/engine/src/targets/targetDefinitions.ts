import { z } from 'zod'
import {
  breakerSettingsSchema,
  pipelineNameSchema,
  type BreakerSettingsInput,
} from '@sluice/contract'

/** A named data source as declared in the engine's config. `url` holds credentials: server only. */
export interface TargetDefinition {
  readonly name: string
  readonly url: string
  readonly description: string | null
  /** The target's circuit breaker thresholds; unset ones take the contract's defaults. */
  readonly breaker?: BreakerSettingsInput
}

const urlSchema = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// connection string')

const declarationSchema = z.record(
  pipelineNameSchema,
  z.union([
    urlSchema,
    z.object({
      url: urlSchema,
      description: z.string().max(500).optional(),
      breaker: breakerSettingsSchema.optional(),
    }),
  ]),
)

/**
 * Parses `SLUICE_TARGETS`: a JSON object from target name to a connection string, or to
 * `{ url, description?, breaker? }` (breaker: `failureThreshold`, `failureRate`, `windowSize`,
 * `probeIntervalMs`, `probeTimeoutMs`). Messages name the target that was wrong, never its connection string.
 *
 * @example
 * parseTargets('{"analytics":{"url":"postgres://app:pw@10.0.0.5/analytics","description":"reporting"}}')
 */
export function parseTargets(raw: string | undefined): TargetDefinition[] {
  if (raw === undefined) return []
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    throw new Error(
      'SLUICE_TARGETS must be a JSON object such as {"analytics":"postgres://user:pw@host:5432/db"}',
    )
  }
  const parsed = declarationSchema.safeParse(json)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where =
        issue.path.length > 0
          ? `target "${String(issue.path[0])}"${issue.path.length > 2 ? ` ${issue.path.slice(1).join('.')}` : ''}`
          : 'SLUICE_TARGETS'
      return `${where}: ${issue.code === 'invalid_key' ? 'name may hold only letters, digits, "_" and "-"' : issue.message}`
    })
    throw new Error(`SLUICE_TARGETS is invalid: ${problems.join('; ')}`)
  }
  return Object.entries(parsed.data).map(([name, value]) =>
    typeof value === 'string'
      ? { name, url: value, description: null }
      : {
          name,
          url: value.url,
          description: value.description ?? null,
          ...(value.breaker === undefined ? {} : { breaker: value.breaker }),
        },
  )
}
