import { z } from 'zod'

/** Request header naming a request so that sending it again never applies it twice. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key'

/** Response header set on an answer that was stored from an earlier run of the same request. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed'

/**
 * How long an engine's claim on a running keyed request lasts without renewal when
 * `SLUICE_IDEMPOTENCY_LEASE_SECONDS` is unset: a crashed engine's requests are taken over after it.
 */
export const DEFAULT_IDEMPOTENCY_LEASE_SECONDS = 10

/** The schema of the ledger table in each target when `SLUICE_LEDGER_SCHEMA` is unset. */
export const DEFAULT_LEDGER_SCHEMA = 'sluice'

/** How long an idempotency key's answer is kept when `SLUICE_IDEMPOTENCY_RETENTION_HOURS` is unset. */
export const DEFAULT_IDEMPOTENCY_RETENTION_HOURS = 24

/**
 * An `Idempotency-Key` header: 1–255 printable ASCII characters (0x21–0x7E), spaces allowed
 * inside but not at either end. Keys are scoped per pipeline.
 *
 * @example
 * idempotencyKeySchema.parse('order-7f3a/attempt') // 'order-7f3a/attempt'
 */
export const idempotencyKeySchema = z
  .string({ error: 'the Idempotency-Key header must be a string' })
  .min(1, 'the Idempotency-Key header must not be empty')
  .max(255, 'the Idempotency-Key header must be at most 255 characters')
  .regex(
    /^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$/,
    'the Idempotency-Key header may hold only printable ASCII characters (spaces only inside)',
  )
