/*
 * Functions a read may call and still count as read-only (docs/architecture.md, "The optimizer").
 * Read-only matters because such reads may be deduplicated and merged, so a function qualifies
 * only when it has no side effect AND two calls in the same moment give the same answer:
 * `nextval`, `setval`, `pg_advisory_*`, `random`, `gen_random_uuid`, `clock_timestamp`,
 * `pg_sleep`, `set_config`, `txid_current` and every function not listed here (user functions
 * included, which may write anything) make a statement count as a write.
 */

const allowed: ReadonlySet<string> = new Set([
  // aggregates
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'array_agg',
  'string_agg',
  'json_agg',
  'jsonb_agg',
  'json_object_agg',
  'jsonb_object_agg',
  'bool_and',
  'bool_or',
  'every',
  'bit_and',
  'bit_or',
  'stddev',
  'stddev_pop',
  'stddev_samp',
  'variance',
  'var_pop',
  'var_samp',
  'percentile_cont',
  'percentile_disc',
  'mode',
  // window functions
  'row_number',
  'rank',
  'dense_rank',
  'percent_rank',
  'cume_dist',
  'ntile',
  'lag',
  'lead',
  'first_value',
  'last_value',
  'nth_value',
  // strings
  'lower',
  'upper',
  'length',
  'char_length',
  'character_length',
  'octet_length',
  'substring',
  'substr',
  'trim',
  'btrim',
  'ltrim',
  'rtrim',
  'concat',
  'concat_ws',
  'replace',
  'split_part',
  'position',
  'strpos',
  'left',
  'right',
  'lpad',
  'rpad',
  'repeat',
  'reverse',
  'initcap',
  'format',
  'md5',
  'starts_with',
  'regexp_replace',
  'regexp_match',
  'regexp_matches',
  'regexp_split_to_array',
  'to_char',
  'to_number',
  'to_date',
  'to_timestamp',
  'quote_ident',
  'quote_literal',
  'quote_nullable',
  'encode',
  'decode',
  'translate',
  'ascii',
  'chr',
  // numbers
  'abs',
  'ceil',
  'ceiling',
  'floor',
  'round',
  'trunc',
  'mod',
  'power',
  'sqrt',
  'exp',
  'ln',
  'log',
  'sign',
  'div',
  'width_bucket',
  // dates and times (now() is the transaction's start time: stable, not volatile)
  'now',
  'date_trunc',
  'date_part',
  'extract',
  'age',
  'make_date',
  'make_time',
  'make_timestamp',
  'make_timestamptz',
  'make_interval',
  'justify_days',
  'justify_hours',
  'justify_interval',
  'isfinite',
  'timezone',
  'date_bin',
  // arrays, sets, JSON
  'array_length',
  'array_upper',
  'array_lower',
  'cardinality',
  'array_position',
  'array_positions',
  'array_remove',
  'array_append',
  'array_prepend',
  'array_cat',
  'array_to_string',
  'string_to_array',
  'unnest',
  'generate_series',
  'generate_subscripts',
  'json_build_object',
  'jsonb_build_object',
  'json_build_array',
  'jsonb_build_array',
  'to_json',
  'to_jsonb',
  'row_to_json',
  'json_array_length',
  'jsonb_array_length',
  'jsonb_set',
  'jsonb_insert',
  'jsonb_strip_nulls',
  'json_strip_nulls',
  'jsonb_pretty',
  'json_extract_path',
  'jsonb_extract_path',
  'json_extract_path_text',
  'jsonb_extract_path_text',
  'json_typeof',
  'jsonb_typeof',
  'json_each',
  'jsonb_each',
  'json_each_text',
  'jsonb_each_text',
  'json_array_elements',
  'jsonb_array_elements',
  'json_array_elements_text',
  'jsonb_array_elements_text',
  'json_object_keys',
  'jsonb_object_keys',
  'jsonb_path_query',
  'jsonb_path_exists',
  'jsonb_path_query_array',
  'jsonb_path_query_first',
  // introspection without effects
  'pg_typeof',
  'num_nulls',
  'num_nonnulls',
  'current_setting',
  'version',
])

/**
 * Whether a call of `name` (as the parser gives it: optional schema, then function name) is
 * known to be side-effect free and deterministic within a moment. Only built-ins qualify, so a
 * schema other than `pg_catalog` disqualifies it.
 *
 * @example
 * isSideEffectFreeFunction(['lower'])             // true
 * isSideEffectFreeFunction(['pg_catalog', 'now']) // true
 * isSideEffectFreeFunction(['nextval'])           // false
 */
export function isSideEffectFreeFunction(name: readonly string[]): boolean {
  if (name.length === 1) return allowed.has(name[0] ?? '')
  if (name.length === 2 && name[0] === 'pg_catalog') return allowed.has(name[1] ?? '')
  return false
}

/*
 * Functions with effects the optimizer understands well enough: they change sequences, locks or
 * randomness, never the catalog (tables, triggers, search_path). A statement calling them is a
 * write, but the rest of its batch may still be planned with the catalog as it was.
 */
const catalogNeutral: ReadonlySet<string> = new Set([
  'nextval',
  'setval',
  'currval',
  'lastval',
  'random',
  'random_normal',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'clock_timestamp',
  'statement_timestamp',
  'timeofday',
  'txid_current',
  'pg_current_xact_id',
  'pg_sleep',
  'pg_advisory_lock',
  'pg_advisory_lock_shared',
  'pg_advisory_unlock',
  'pg_advisory_unlock_shared',
  'pg_advisory_unlock_all',
  'pg_try_advisory_lock',
  'pg_try_advisory_lock_shared',
  'pg_advisory_xact_lock',
  'pg_advisory_xact_lock_shared',
  'pg_try_advisory_xact_lock',
  'pg_try_advisory_xact_lock_shared',
])

/**
 * Whether a call of `name` cannot change the catalog: allow-listed, or a known built-in with
 * effects on sequences, locks or randomness only. Unknown functions may run DDL.
 *
 * @example
 * isCatalogNeutralFunction(['nextval'])  // true
 * isCatalogNeutralFunction(['my_func'])  // false
 */
export function isCatalogNeutralFunction(name: readonly string[]): boolean {
  if (isSideEffectFreeFunction(name)) return true
  const last =
    name.length === 1 || (name.length === 2 && name[0] === 'pg_catalog')
      ? name[name.length - 1]
      : undefined
  return last !== undefined && catalogNeutral.has(last)
}
