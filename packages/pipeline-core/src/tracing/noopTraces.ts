import type { BatchTrace, StatementTrace } from './instrumentation'

/** A statement that is not traced: no ids, nothing recorded. */
export const NOOP_STATEMENT_TRACE: StatementTrace = {
  end() {
    // Nothing to record.
  },
}

/** A batch that is not traced (no SDK, or not sampled); its statements are not traced either. */
export const NOOP_BATCH_TRACE: BatchTrace = {
  startStatement: () => NOOP_STATEMENT_TRACE,
  end() {
    // Nothing to record.
  },
}
