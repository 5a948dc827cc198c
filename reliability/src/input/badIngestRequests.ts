import { callEngine, type IngestAnswer } from '../testing/ingestClient'
import { putPipeline } from '../testing/engineApi'

/** A bad request, the status(es) that are right for it, and what its message must name. */
export interface BadCase {
  readonly name: string
  readonly send: (base: string) => Promise<IngestAnswer>
  /** The status, or the statuses that are each right (e.g. 400 or 404 for a malformed name). */
  readonly status: number | readonly number[]
  readonly message: RegExp
}

/** POSTs a raw body to a pipeline's ingest endpoint (`good` by default). */
export const post = (base: string, body: string, pipeline = 'good'): Promise<IngestAnswer> =>
  callEngine(`${base}/v1/pipelines/${pipeline}/queries`, body)
const oneQuery = (query: Record<string, unknown>): string => JSON.stringify({ queries: [query] })

/** Requests the ingest and pipelines-as-code endpoints must refuse with a 4xx naming the problem. */
export const badCases: readonly BadCase[] = [
  {
    name: 'malformed JSON',
    send: (b) => post(b, '{"queries": [{"sql": "SELECT 1"'),
    status: 400,
    message: /json/i,
  },
  { name: 'empty body', send: (b) => post(b, ''), status: 400, message: /body|json/i },
  {
    name: 'JSON that is not an object',
    send: (b) => post(b, '[1,2,3]'),
    status: 400,
    message: /body|object|queries/i,
  },
  { name: 'queries missing', send: (b) => post(b, '{}'), status: 400, message: /queries/ },
  {
    name: 'queries empty',
    send: (b) => post(b, '{"queries":[]}'),
    status: 400,
    message: /queries/,
  },
  {
    name: 'queries not an array',
    send: (b) => post(b, '{"queries":"SELECT 1"}'),
    status: 400,
    message: /queries/,
  },
  {
    name: 'sql a number',
    send: (b) => post(b, oneQuery({ sql: 42 })),
    status: 400,
    message: /sql/,
  },
  { name: 'sql empty', send: (b) => post(b, oneQuery({ sql: '' })), status: 400, message: /sql/ },
  {
    name: 'sql blank',
    send: (b) => post(b, oneQuery({ sql: ' \n\t ' })),
    status: 400,
    message: /sql/,
  },
  {
    name: 'params not an array',
    send: (b) => post(b, oneQuery({ sql: 'SELECT $1', params: 'x' })),
    status: 400,
    message: /params/,
  },
  {
    name: 'params an object',
    send: (b) => post(b, oneQuery({ sql: 'SELECT $1', params: { a: 1 } })),
    status: 400,
    message: /params/,
  },
  {
    name: 'callbackId a number',
    send: (b) => post(b, oneQuery({ sql: 'SELECT 1', callbackId: 7 })),
    status: 400,
    message: /callbackId/,
  },
  {
    name: 'group not a boolean',
    send: (b) => post(b, JSON.stringify({ queries: [{ sql: 'SELECT 1' }], group: 'yes' })),
    status: 400,
    message: /group/,
  },
  {
    name: '70,000 parameters',
    send: (b) =>
      post(b, oneQuery({ sql: 'SELECT $1', params: Array.from({ length: 70_000 }, (_, i) => i) })),
    status: 400,
    message: /65[,.]?535/,
  },
  {
    // 20 KB of body: small, yet deep enough to overflow a recursive validator's stack.
    name: 'a parameter nested 10,000 levels deep',
    send: (b) =>
      post(
        b,
        `{"queries":[{"sql":"SELECT $1::jsonb AS v","params":[${'['.repeat(10_000)}${']'.repeat(10_000)}]}]}`,
      ),
    status: 400,
    message: /deep|depth|nest/i,
  },
  {
    name: 'NUL byte in sql',
    send: (b) => post(b, oneQuery({ sql: 'SELECT 1\u0000; DROP TABLE x' })),
    status: 400,
    message: /NUL/i,
  },
  {
    name: 'NUL byte in a parameter',
    send: (b) => post(b, oneQuery({ sql: 'SELECT $1::text', params: ['a\u0000b'] })),
    status: 400,
    message: /NUL/i,
  },
  {
    name: 'body over the size limit (5 MB)',
    send: (b) =>
      post(b, JSON.stringify({ queries: [{ sql: `SELECT '${'x'.repeat(5 * 1024 * 1024)}'` }] })),
    status: 413,
    message: /large|limit|bytes/i,
  },
  {
    name: 'unknown pipeline',
    send: (b) => post(b, oneQuery({ sql: 'SELECT 1' }), 'no_such_pipeline'),
    status: 404,
    message: /no_such_pipeline/,
  },
  {
    name: 'pipeline name with a path in it',
    send: (b) => post(b, oneQuery({ sql: 'SELECT 1' }), '..%2F..%2Fetc'),
    status: [400, 404],
    message: /pipeline|name/i,
  },
  {
    name: '10,001 queries in one request',
    send: (b) =>
      post(
        b,
        JSON.stringify({ queries: Array.from({ length: 10_001 }, () => ({ sql: 'SELECT 1' })) }),
      ),
    status: 400,
    message: /10[,.]?000/,
  },
  {
    name: 'a group larger than the batch size',
    send: (b) =>
      post(
        b,
        JSON.stringify({
          group: true,
          queries: Array.from({ length: 21 }, () => ({ sql: 'SELECT 1' })),
        }),
        'bystander',
      ),
    status: 400,
    message: /group|batch/i,
  },
  {
    name: 'config: batch size 0',
    send: (b) => putPipeline(b, 'cfg_bad', { batchSize: 0 }),
    status: 400,
    message: /batchSize/,
  },
  {
    name: 'config: negative flush interval',
    send: (b) => putPipeline(b, 'cfg_bad', { flushIntervalMs: -5 }),
    status: 400,
    message: /flushIntervalMs/,
  },
  {
    name: 'config: unknown strategy',
    send: (b) => putPipeline(b, 'cfg_bad', { strategy: 'yolo' }),
    status: 400,
    message: /strategy/,
  },
  {
    name: 'config: batch size a string',
    send: (b) => putPipeline(b, 'cfg_bad', { batchSize: '100' }),
    status: 400,
    message: /batchSize/,
  },
  {
    name: 'config: fractional max queue size',
    send: (b) => putPipeline(b, 'cfg_bad', { maxQueueSize: 1.5 }),
    status: 400,
    message: /maxQueueSize/,
  },
  {
    name: 'config: retry attempts 0',
    send: (b) => putPipeline(b, 'cfg_bad', { retry: { maxAttempts: 0 } }),
    status: 400,
    message: /maxAttempts/,
  },
  {
    name: 'config: unknown target',
    send: (b) => putPipeline(b, 'cfg_bad', { target: 'nowhere' }),
    status: [400, 404],
    message: /nowhere|target/,
  },
  {
    name: 'config: malformed JSON',
    send: (b) => callEngine(`${b}/v1/pipelines/cfg_bad`, '{"batchSize": ', { method: 'PUT' }),
    status: 400,
    message: /json/i,
  },
  {
    name: 'config: invalid pipeline name',
    send: (b) => putPipeline(b, 'bad name!', {}),
    status: 400,
    message: /name/,
  },
]
