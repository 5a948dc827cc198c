import type pg from 'pg'
import type { Strategy } from '@sluice/pipeline-core'

/** A row as a client library hands it back. */
export type Row = Record<string, unknown>

/** One statement with its parameters. */
export interface Statement {
  readonly sql: string
  readonly params: readonly unknown[]
}

/** A submitted statement (or group) whose rows arrive later. */
export interface Pending {
  readonly done: Promise<Row[]>
}

/**
 * How a workload's application code talks to PostgreSQL, one statement at a time, the way the
 * naive form is written. Each method (naive pg, Sluice, postgres.js) implements it; the workload
 * code is the same for all, so every method is fed exactly the same statements.
 */
export interface QueryRunner {
  /** Resolves once the statement is accepted (naive: once it has run); `done` gives its rows. */
  submit(sql: string, params: readonly unknown[]): Promise<Pending>
  /** Statements that must commit or fail together (a transaction). */
  submitGroup(statements: readonly Statement[]): Promise<Pending>
  /** Sends whatever is still queued; called once the application has submitted everything. */
  drain(): Promise<void>
}

/** What a run hands back for checking (reads return what they read). */
export interface WorkloadOutput {
  readonly rowsRead?: number
  /** A sum over what was read, checked against the expected value. */
  readonly checksum?: number
}

/** Connected pg clients a direct method may use (connected before the clock starts). */
export interface DirectClients {
  readonly main: pg.Client
  /** For a method that needs a second session (reading while COPY holds the first). */
  readonly second: pg.Client
}

/** A method that does not go through QueryRunner: hand-written SQL or COPY on pg clients. */
export interface DirectMethod {
  readonly id: string
  readonly label: string
  readonly kind: 'hand' | 'copy'
  run(clients: DirectClients, size: number): Promise<WorkloadOutput>
}

/** Which Sluice strategies fit a workload, and settings it needs beyond the common ones. */
export interface SluiceWorkloadSettings {
  /** The first is the workload's main one (sweeps, telemetry, optimizer-off comparison). */
  readonly strategies: readonly Strategy[]
  /** E.g. a batch size that is a multiple of the group size. */
  readonly settings?: { readonly batchSize?: number }
}

/** One benchmark workload: tables, the application code, the alternatives and the checks. */
export interface Workload {
  readonly id: string
  readonly title: string
  /** What `size` counts ("rows", "transfers"...). */
  readonly unit: string
  /** Creates tables and seeds data for runs of up to `size`. */
  setup(pool: pg.Pool, size: number): Promise<void>
  /** Puts the tables back to their state before a run (untimed). */
  reset(pool: pg.Pool, size: number): Promise<void>
  /** The application code, one statement per row, as a user would write it first. */
  run(runner: QueryRunner, size: number): Promise<WorkloadOutput>
  /** Throws, naming what is wrong, unless the run left (and read) exactly what it should. */
  verify(pool: pg.Pool, size: number, output: WorkloadOutput): Promise<void>
  readonly sluice: SluiceWorkloadSettings
  readonly direct: readonly DirectMethod[]
}
