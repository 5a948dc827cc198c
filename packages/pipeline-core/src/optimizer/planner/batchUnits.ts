import type { BatchQuery } from '../../plan/plan'
import type { Classification } from '../../sql/classification'
import type { UpsertPlan } from '../merge/upsertMerge'

/** A member under construction: its parameters and the queries it answers. */
export interface OpenMember {
  readonly params: readonly unknown[]
  readonly queryIndexes: number[]
}

/**
 * A statement being assembled from one or more queries of the batch, before it becomes a
 * PlannedStatement. Units are created in submission order of their first query.
 */
export type BatchUnit =
  | {
      readonly kind: 'single'
      readonly query: BatchQuery
      readonly classification: Classification | undefined
    }
  | {
      /** Identical reads (one member, several queries) or point reads of one text (several members). */
      readonly kind: 'read'
      readonly first: BatchQuery
      readonly classification: Classification
      /** Set when members with other keys may join: the key's array element type. */
      readonly keyType: string | undefined
      readonly members: OpenMember[]
      readonly byParams: Map<string, OpenMember>
    }
  | {
      readonly kind: 'insert'
      readonly first: BatchQuery
      readonly classification: Classification
      readonly maxRows: number
      /** Column array types when long runs may use the unnest form. */
      readonly unnestTypes: readonly string[] | undefined
      readonly members: OpenMember[]
    }
  | {
      readonly kind: 'upsert'
      readonly first: BatchQuery
      readonly classification: Classification
      readonly plan: UpsertPlan
      readonly members: OpenMember[]
      /** Canonical conflict keys already in this unit: a repeat must start a new statement. */
      readonly keys: Set<string>
    }
  | {
      readonly kind: 'update'
      readonly first: BatchQuery
      readonly classification: Classification
      readonly types: readonly string[]
      readonly members: OpenMember[]
      /** Canonical keys already in this unit: a repeat must start a new statement. */
      readonly keys: Set<string>
    }
