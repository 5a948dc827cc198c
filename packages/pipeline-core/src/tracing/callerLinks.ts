import type { Link, SpanContext } from '@opentelemetry/api'
import { isSpanContextValid } from '@opentelemetry/api'

/** Same limit as the SDK's default `linkCountLimit`: more would be dropped there anyway. */
export const MAX_BATCH_LINKS = 128

/**
 * The batch span's links: one per distinct valid caller span context, in first-seen order,
 * at most `limit`. Many queries added inside one request share one caller span; linking it once
 * keeps the batch span small.
 */
export function callerLinks(contexts: readonly SpanContext[], limit = MAX_BATCH_LINKS): Link[] {
  const links: Link[] = []
  const seen = new Set<string>()
  for (const context of contexts) {
    if (links.length >= limit) break
    if (!isSpanContextValid(context)) continue
    const key = context.traceId + context.spanId
    if (seen.has(key)) continue
    seen.add(key)
    links.push({ context })
  }
  return links
}
