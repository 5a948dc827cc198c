import { callEngine, type IngestAnswer } from './ingestClient'

/**
 * `PUT /v1/pipelines/:name` with a config body (create or update).
 *
 * @example
 * await putPipeline(engine.baseUrl, 'orders', { strategy: 'transactional', batchSize: 50 })
 */
export function putPipeline(
  baseUrl: string,
  name: string,
  config: unknown,
  token?: string,
): Promise<IngestAnswer> {
  return callEngine(`${baseUrl}/v1/pipelines/${encodeURIComponent(name)}`, JSON.stringify(config), {
    method: 'PUT',
    token,
  })
}

/** Like `putPipeline`, but throws unless the engine answered 2xx. */
export async function mustPutPipeline(
  baseUrl: string,
  name: string,
  config: unknown,
  token?: string,
): Promise<void> {
  const answer = await putPipeline(baseUrl, name, config, token)
  if (answer.status < 200 || answer.status >= 300) {
    throw new Error(
      `PUT /v1/pipelines/${name} answered ${answer.status}: ${answer.text || answer.failure || ''}`,
    )
  }
}

/** A GET on the engine, token optional. */
export function getFromEngine(
  baseUrl: string,
  path: string,
  token?: string,
): Promise<IngestAnswer> {
  return callEngine(`${baseUrl}${path}`, undefined, { method: 'GET', token })
}

/** What a tRPC call over plain HTTP came back with. */
export interface TrpcAnswer extends IngestAnswer {
  /** `result.data` on success. */
  readonly data: unknown
  /** `error.message` on failure. */
  readonly errorMessage: string | undefined
  /** `error.data.code` on failure (`BAD_REQUEST`, `UNAUTHORIZED`, ...). */
  readonly errorCode: string | undefined
}

/**
 * Calls a tRPC procedure over plain HTTP (no client library: the wire format is what an attacker
 * or a script would send). Queries go as GET `?input=`, mutations as POST with a JSON body.
 *
 * @example
 * const answer = await trpcCall(base, 'pipelines.create', { name: 'x', config: {} }, { mutation: true })
 */
export async function trpcCall(
  baseUrl: string,
  procedure: string,
  input: unknown,
  options: { mutation?: boolean; token?: string; rawBody?: string } = {},
): Promise<TrpcAnswer> {
  const url = `${baseUrl}/trpc/${procedure}`
  const answer = options.mutation
    ? await callEngine(
        url,
        options.rawBody ?? (input === undefined ? undefined : JSON.stringify(input)),
        { token: options.token },
      )
    : await callEngine(
        input === undefined ? url : `${url}?input=${encodeURIComponent(JSON.stringify(input))}`,
        undefined,
        {
          method: 'GET',
          token: options.token,
        },
      )
  const body = answer.body as
    | { result?: { data?: unknown }; error?: { message?: string; data?: { code?: string } } }
    | undefined
  return {
    ...answer,
    data: body?.result?.data,
    errorMessage: body?.error?.message,
    errorCode: body?.error?.data?.code,
  }
}
