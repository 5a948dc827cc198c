/** PostgreSQL's limit on bind parameters in one statement (the protocol counts them in 16 bits). */
export const MAX_PARAMETERS = 65_535

/** Deepest nesting of arrays and objects a JSON parameter may have (a scalar is depth 0). */
export const MAX_PARAM_DEPTH = 32

/** Most queries one ingest request may carry. */
export const MAX_QUERIES_PER_REQUEST = 10_000

/** Longest SQL text one query may have, in characters. */
export const MAX_SQL_LENGTH = 1_000_000

/** Longest `callbackId`, in characters. */
export const MAX_CALLBACK_ID_LENGTH = 200

/**
 * The largest answer (JSON, in bytes) the engine keeps whole for an `Idempotency-Key`; a larger
 * one is kept as every query's status without rows, and a replay says so (`rowsOmitted`).
 */
export const MAX_STORED_ANSWER_BYTES = 1_048_576
