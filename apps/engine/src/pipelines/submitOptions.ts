import type { IngestRequest } from '@sluice/contract'
import type { IdempotencyLedger, TransactionMode } from '@sluice/pipeline-core'

/** How `submit` runs its queries besides the group flag (both unset for a plain request). */
export interface SubmitOptions {
  /** Keyed writes: each carries its row of the target's ledger. */
  readonly ledger?: IdempotencyLedger
  /** A transactional group's own transaction mode. */
  readonly transaction?: TransactionMode
}

/** The transaction mode an ingest request asks for (`isolation`, `readOnly`, `deferrable`), if any. */
export function transactionOptions(body: IngestRequest): Pick<SubmitOptions, 'transaction'> {
  const mode: TransactionMode = {
    ...(body.isolation === undefined ? {} : { isolation: body.isolation }),
    ...(body.readOnly === undefined ? {} : { readOnly: body.readOnly }),
    ...(body.deferrable === undefined ? {} : { deferrable: body.deferrable }),
  }
  return Object.keys(mode).length === 0 ? {} : { transaction: mode }
}
