import { z } from 'zod'
import { authEnvShape, checkAuthEnvTogether } from './auth/authEnv'

/*
 * The engine's configuration from the environment, read and validated once. No other file reads
 * process.env (OTEL_* are read by the OpenTelemetry SDK itself; we only check their shape here).
 */

const truthy = ['1', 'true', 'yes', 'on']
const falsy = ['', '0', 'false', 'no', 'off']

const flag = (name: string) =>
  z
    .string()
    .optional()
    .refine((value) => value === undefined || [...truthy, ...falsy].includes(value.toLowerCase()), {
      error: `${name} must be one of 1/true/yes/on or 0/false/no/off`,
    })
    .transform((value) => value !== undefined && truthy.includes(value.toLowerCase()))

const postgresUrl = (name: string) =>
  z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .refine((value) => value === undefined || /^postgres(ql)?:\/\/[^\s]+$/.test(value), {
      error: `${name} must be a postgres:// or postgresql:// connection string`,
    })

const httpUrl = (name: string, fallback?: string) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value === '' ? fallback : value))
    .refine((value) => value === undefined || /^https?:\/\/[^\s]+$/.test(value), {
      error: `${name} must be an http:// or https:// URL`,
    })

const envSchema = z
  .object({
    SLUICE_PORT: z
      .string()
      .optional()
      .transform((value) => (value === undefined || value === '' ? '4000' : value))
      .refine((value) => /^[0-9]{1,5}$/.test(value) && Number(value) <= 65_535, {
        error: 'SLUICE_PORT must be a port number 0..65535 (0 picks a free port)',
      })
      .transform(Number),
    SLUICE_HOST: z
      .string()
      .optional()
      .transform((value) => (value === undefined || value === '' ? '127.0.0.1' : value))
      .refine((value) => /^[A-Za-z0-9.:_-]+$/.test(value), {
        error: 'SLUICE_HOST must be a host name or IP address such as 127.0.0.1 or 0.0.0.0',
      }),
    DATABASE_URL: postgresUrl('DATABASE_URL'),
    SLUICE_DATA_DIR: z
      .string()
      .optional()
      .transform((value) => (value === '' ? undefined : value)),
    SLUICE_API_TOKEN: z
      .string()
      .optional()
      .transform((value) => (value === '' ? undefined : value))
      .refine((value) => value === undefined || value.length >= 16, {
        error: 'SLUICE_API_TOKEN must be at least 16 characters (e.g. `openssl rand -hex 24`)',
      }),
    SLUICE_TARGETS: z
      .string()
      .optional()
      .transform((value) => (value === '' ? undefined : value)),
    JAEGER_UI_URL: httpUrl('JAEGER_UI_URL', 'http://localhost:16686'),
    SLUICE_DEMO: flag('SLUICE_DEMO'),
    SLUICE_MAX_BODY_BYTES: z
      .string()
      .optional()
      .transform((value) => (value === undefined || value === '' ? String(4 * 1024 * 1024) : value))
      .refine((value) => /^[0-9]+$/.test(value) && Number(value) >= 1024, {
        error: 'SLUICE_MAX_BODY_BYTES must be a whole number of bytes, at least 1024',
      })
      .transform(Number),
    SLUICE_LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'SLUICE_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
    SLUICE_LOG_FORMAT: z
      .enum(['pretty', 'json', ''], {
        error: 'SLUICE_LOG_FORMAT must be pretty or json (unset: pretty on a terminal, else json)',
      })
      .optional()
      .transform((value) => (value === '' ? undefined : value)),
    OTEL_SERVICE_NAME: z.string().optional(),
    OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT'),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'),
    OTEL_SDK_DISABLED: flag('OTEL_SDK_DISABLED'),
    SLUICE_VIEWERS_SEE_PARAMS: flag('SLUICE_VIEWERS_SEE_PARAMS'),
    SLUICE_ENGINE_ID: z
      .string()
      .optional()
      .transform((value) => (value === '' ? undefined : value))
      .refine((value) => value === undefined || /^[A-Za-z0-9._-]{1,64}$/.test(value), {
        error: 'SLUICE_ENGINE_ID must be 1-64 letters, digits, dots, dashes or underscores',
      }),
    SLUICE_ADVERTISED_URL: httpUrl('SLUICE_ADVERTISED_URL'),
    SLUICE_NATS_URL: z
      .string()
      .optional()
      .transform((value) => (value === '' ? undefined : value))
      .refine(
        (value) =>
          value === undefined ||
          value.split(',').every((server) => /^(nats|tls):\/\/[^\s,]+$/.test(server.trim())),
        { error: 'SLUICE_NATS_URL must be nats:// URLs separated by commas' },
      ),
    SLUICE_NATS_REPLICAS: z
      .string()
      .optional()
      .transform((value) => (value === undefined || value === '' ? '1' : value))
      .refine((value) => /^[1-5]$/.test(value), {
        error:
          'SLUICE_NATS_REPLICAS must be 1 to 5 (JetStream replicas of the streams Sluice creates)',
      })
      .transform(Number),
    ...authEnvShape,
  })
  .superRefine(checkAuthEnvTogether)

/** The engine's validated configuration. */
export type EngineEnv = z.output<typeof envSchema> & { readonly demo: boolean }

/** Bad environment: the message lists every variable that was wrong and why. */
export class EnvError extends Error {
  override readonly name = 'EnvError'
}

/**
 * Reads and validates the engine's environment. `--demo` in `argv` turns the demo on too.
 *
 * @example
 * const env = loadEnv(process.env, process.argv)
 * console.log(env.SLUICE_PORT) // 4000 unless set
 */
export function loadEnv(
  source: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = process.argv,
): EngineEnv {
  const parsed = envSchema.safeParse(source)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
    throw new EnvError(`invalid engine configuration:\n${lines.join('\n')}`)
  }
  return { ...parsed.data, demo: parsed.data.SLUICE_DEMO || argv.includes('--demo') }
}
