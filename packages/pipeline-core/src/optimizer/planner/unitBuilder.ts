import type { BatchQuery } from '../../plan/plan'
import type { Strategy } from '@sluice/contract'
import type { Classification } from '../../sql/classification'
import { tableNameText } from '../../sql/classification'
import { insertMergeRefusal, maxInsertRows, unnestInsertTypes } from '../merge/insertMerge'
import {
  canonicalKey,
  keyedUpdateTextRefusal,
  keyedUpdateValueRefusal,
  updateParamTypes,
} from '../merge/keyedUpdateMerge'
import { parameterKey } from '../merge/parameterValues'
import { pointReadRefusal } from '../merge/pointReadMerge'
import { upsertKey, upsertPlan } from '../merge/upsertMerge'
import type { TableInfo } from '../merge/tableCatalog'
import { isPlainReadSource } from '../merge/tableCatalog'
import type { BatchUnit } from './batchUnits'

/** Most keys one merged point read or keyed UPDATE carries (keeps statements reasonable). */
const MAX_KEYS = 10_000
/** Most rows of one unnest INSERT: big enough for any batch, small enough to bisect quickly. */
const MAX_INSERT_ROWS = 20_000

/** What the unit builder needs to know about the batch. */
export interface UnitBuilderInput {
  readonly queries: readonly BatchQuery[]
  readonly classifications: readonly (Classification | undefined)[]
  readonly strategy: Strategy
  /** Tables as the catalog knows them (keys: `tableNameText`); undefined when not looked up. */
  readonly tables: ReadonlyMap<string, TableInfo> | undefined
  /** Queries at or after this index are sent as written (catalog knowledge may be stale). */
  readonly optimizeBefore: number
}

/** The units and the explanations of what was (not) done. */
export interface UnitBuilderOutput {
  readonly units: BatchUnit[]
  readonly notes: string[]
}

type ReadUnit = Extract<BatchUnit, { kind: 'read' }>

/**
 * Groups a batch's queries into units (future statements). Rules (docs/architecture.md, "The optimizer"):
 * - writes are never deduplicated; consecutive same-text INSERTs / keyed UPDATEs merge;
 * - `sequential` and `transactional` never reorder: a query only joins the unit right before it;
 * - `parallel` and `best_effort` may move a read, but only among reads: within a run of reads
 *   of plain tables (no write, no view, no unknown function in between), identical reads are
 *   deduplicated and point reads of one text merged, wherever they sit in the run.
 */
export function buildUnits(input: UnitBuilderInput): UnitBuilderOutput {
  const { queries, classifications, strategy, tables } = input
  const ordered = strategy === 'sequential' || strategy === 'transactional'
  const units: BatchUnit[] = []
  const notes: string[] = []
  // Reads of the current run of reads (unordered strategies only).
  let readsByKey = new Map<string, ReadUnit>()
  let pointByText = new Map<string, ReadUnit>()
  const endReadRun = (): void => {
    readsByKey = new Map()
    pointByText = new Map()
  }
  const table = (
    classification: Classification,
    name: { schema?: string; name: string },
  ): TableInfo | undefined => tables?.get(tableNameText(name))
  const refuse = (query: BatchQuery, reason: string): void => {
    notes.push(`query ${query.index} runs on its own: ${reason}`)
  }

  for (const query of queries) {
    const classification = classifications[query.index]
    const last = units[units.length - 1]
    if (
      !classification ||
      query.index >= input.optimizeBefore ||
      classification.statementCount !== 1 ||
      !tables
    ) {
      units.push({ kind: 'single', query, classification })
      if (!classification?.readOnly) endReadRun()
      continue
    }
    const shape = classification.shape

    if (classification.readOnly) {
      const plainSources = classification.reads.every((name) => isPlainReadSource(tables.get(name)))
      const paramsKey = parameterKey(query.params)
      if (!plainSources || paramsKey === undefined) {
        // A read through a view (or of values we cannot compare) stays put, and nothing moves across it.
        units.push({ kind: 'single', query, classification })
        endReadRun()
        continue
      }
      const dedupeKey = `${query.sql}\u0000${paramsKey}`
      const sameText = ordered
        ? last?.kind === 'read' && last.first.sql === query.sql
          ? last
          : undefined
        : readsByKey.get(dedupeKey)
      const identical = sameText?.byParams.get(paramsKey)
      if (sameText && identical) {
        identical.queryIndexes.push(query.index)
        continue
      }
      let keyType: string | undefined
      if (shape?.kind === 'point_read') {
        const info = table(classification, shape.table)
        const refusal = pointReadRefusal(query, shape, info)
        if (refusal === undefined) keyType = info?.columns.get(shape.keyColumn)?.baseType
        else refuse(query, `not merged with other point reads: ${refusal}`)
      }
      const pointUnit = ordered
        ? last?.kind === 'read' && last.first.sql === query.sql && last.keyType !== undefined
          ? last
          : undefined
        : pointByText.get(query.sql)
      if (
        keyType !== undefined &&
        pointUnit?.keyType === keyType &&
        pointUnit.members.length < MAX_KEYS
      ) {
        const member = { params: query.params, queryIndexes: [query.index] }
        pointUnit.members.push(member)
        pointUnit.byParams.set(paramsKey, member)
        readsByKey.set(dedupeKey, pointUnit)
        continue
      }
      const member = { params: query.params, queryIndexes: [query.index] }
      const unit: ReadUnit = {
        kind: 'read',
        first: query,
        classification,
        keyType,
        members: [member],
        byParams: new Map([[paramsKey, member]]),
      }
      units.push(unit)
      readsByKey.set(dedupeKey, unit)
      if (keyType !== undefined) pointByText.set(query.sql, unit)
      continue
    }

    endReadRun()
    if (shape?.kind === 'insert' && shape.onConflict) {
      const info = table(classification, shape.table)
      const plan = upsertPlan(query, classification, shape, info)
      const key = info && typeof plan !== 'string' ? upsertKey(plan, info, query.params) : undefined
      if (typeof plan !== 'string' && key !== undefined) {
        const member = { params: query.params, queryIndexes: [query.index] }
        const sameText = last?.kind === 'upsert' && last.first.sql === query.sql ? last : undefined
        if (sameText && !sameText.keys.has(key) && sameText.members.length < MAX_KEYS) {
          sameText.members.push(member)
          sameText.keys.add(key)
        } else {
          if (sameText)
            notes.push(
              `query ${query.index} starts a new upsert: its key is already in the merge, and one statement may not propose one key twice the way separate ones do`,
            )
          units.push({
            kind: 'upsert',
            first: query,
            classification,
            plan,
            members: [member],
            keys: new Set([key]),
          })
        }
        continue
      }
      refuse(query, `not merged: ${typeof plan === 'string' ? plan : 'no key'}`)
    } else if (shape?.kind === 'insert') {
      // The text and its table were judged when the unit before took its first query.
      if (
        last?.kind === 'insert' &&
        last.first.sql === query.sql &&
        last.members.length < last.maxRows &&
        query.params.length === classification.paramCount
      ) {
        last.members.push({ params: query.params, queryIndexes: [query.index] })
        continue
      }
      const info = table(classification, shape.table)
      const refusal = insertMergeRefusal(query, classification, shape, info)
      if (refusal === undefined) {
        const unnestTypes = info ? unnestInsertTypes(shape, info) : undefined
        // The unnest form has no parameter limit; the VALUES form is cut at 65535 parameters.
        const maxRows = unnestTypes ? MAX_INSERT_ROWS : maxInsertRows(classification)
        units.push({
          kind: 'insert',
          first: query,
          classification,
          maxRows,
          unnestTypes,
          members: [{ params: query.params, queryIndexes: [query.index] }],
        })
        continue
      }
      refuse(query, `not merged: ${refusal}`)
    } else if (shape?.kind === 'keyed_update') {
      const info = table(classification, shape.table)
      // The text and its table are judged once per unit: a query of the text of the unit
      // before only has its values checked.
      const sameText = last?.kind === 'update' && last.first.sql === query.sql ? last : undefined
      const textRefusal = sameText ? undefined : keyedUpdateTextRefusal(query.sql, shape, info)
      const refusal =
        textRefusal ??
        (info ? keyedUpdateValueRefusal(query, classification, shape, info) : 'no table')
      const keyColumn = info?.columns.get(shape.keyColumn)
      const types = sameText ? sameText.types : info ? updateParamTypes(shape, info) : 'no table'
      const key = keyColumn ? canonicalKey(keyColumn, query.params[shape.keyParam - 1]) : undefined
      if (refusal === undefined && key !== undefined && typeof types !== 'string') {
        const member = { params: query.params, queryIndexes: [query.index] }
        if (sameText && !sameText.keys.has(key) && sameText.members.length < MAX_KEYS) {
          sameText.members.push(member)
          sameText.keys.add(key)
        } else {
          if (sameText?.keys.has(key)) {
            notes.push(
              `query ${query.index} starts a new UPDATE: its key was already updated by an earlier query of the merge, and updating one row twice in one statement is not the same`,
            )
          }
          units.push({
            kind: 'update',
            first: query,
            classification,
            types,
            members: [member],
            keys: new Set([key]),
          })
        }
        continue
      }
      refuse(query, `not merged: ${refusal ?? 'no key'}`)
    }
    units.push({ kind: 'single', query, classification })
  }
  return { units, notes }
}
