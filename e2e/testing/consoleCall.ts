import type { Page } from '@playwright/test'

/** What the console's API answered one call made from the page. */
export interface ConsoleAnswer {
  readonly status: number
  readonly body: {
    result?: { data: unknown }
    error?: { message: string; data?: { code: string; requiredRole?: string | null } }
  }
}

/**
 * Calls a tRPC procedure from inside the page, as its own scripts would (same origin, the
 * browser's cookie): what the engine does with a call the page's buttons do not offer.
 *
 * @example
 * const answer = await callFromPage(page, 'failures.retry', { ids: ['42'] })
 * answer.status // 403
 */
export function callFromPage(
  page: Page,
  procedure: string,
  input: unknown,
  kind: 'mutation' | 'query' = 'mutation',
): Promise<ConsoleAnswer> {
  return page.evaluate(
    async ({ procedure, input, kind }) => {
      const url =
        kind === 'query'
          ? `/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`
          : `/api/trpc/${procedure}`
      const response = await fetch(url, {
        method: kind === 'query' ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: kind === 'query' ? undefined : JSON.stringify(input),
      })
      return { status: response.status, body: (await response.json()) as ConsoleAnswer['body'] }
    },
    { procedure, input, kind },
  )
}
