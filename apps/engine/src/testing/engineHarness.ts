import {
  createTRPCClient,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from '@trpc/client'
import { EventSource } from 'eventsource'
import { createEngine, type Engine, type EngineOptions } from '../engine'
import { createLogger } from '../logger'
import type { AppRouter } from '../router'

/**
 * A tRPC client on an engine: httpLink for queries and mutations, SSE for subscriptions. `extra`
 * headers are sent too (the console's session headers, read at each call).
 */
export function engineClient(
  url: string,
  token?: string,
  extra: () => Record<string, string> = () => ({}),
): TRPCClient<AppRouter> {
  const headers = (): Record<string, string> => ({
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    ...extra(),
  })
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: `${url}/trpc`,
          EventSource,
          // Node has no browser EventSource: the eventsource package, with the token in a header.
          eventSourceOptions: () => ({
            fetch: (input: string | URL, init: RequestInit) =>
              fetch(input, {
                ...init,
                headers: { ...(init.headers as Record<string, string>), ...headers() },
              }),
          }),
        }),
        false: httpLink({ url: `${url}/trpc`, headers }),
      }),
    ],
  })
}

/** Starts an engine on a free port against `databaseUrl`, quiet unless SLUICE_TEST_LOG is set. */
export function startTestEngine(databaseUrl: string, options: EngineOptions = {}): Promise<Engine> {
  return createEngine({
    port: 0,
    databaseUrl,
    logger: createLogger(process.env.SLUICE_TEST_LOG ?? 'silent'),
    ...options,
  })
}

/** POSTs JSON (or a raw string) and answers status, headers and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  init: { method?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(url, {
    method: init.method ?? 'POST',
    headers: {
      'content-type': 'application/json',
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
      ...init.headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, headers: response.headers, body: parsed }
}

/** Waits until `check` is true (polling), or fails after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}
