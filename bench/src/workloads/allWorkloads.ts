import { batchUpdate } from './batchUpdate'
import { bulkInsert } from './bulkInsert'
import { etl } from './etl'
import { multiGet } from './multiGet'
import { transfers } from './transfers'
import type { Workload } from './workload'

/** Every workload, in the order the report lists them. */
export const WORKLOADS: readonly Workload[] = [bulkInsert, batchUpdate, multiGet, etl, transfers]
