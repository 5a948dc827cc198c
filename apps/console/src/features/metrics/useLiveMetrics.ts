'use client'

import { skipToken, useQuery } from '@tanstack/react-query'
import { useSubscription } from '@trpc/tanstack-react-query'
import { useMemo, useState } from 'react'
import { useEngineHealth } from '~/features/engine/useEngineHealth'
import { useTRPC } from '~/trpc/trpc'
import { appendSamples, mergeSeries, type SeriesByPipeline } from './metricsSeries'

interface LiveMetricsOptions {
  /** One pipeline, or every pipeline when left out. */
  pipeline?: string
  /** How much history to load first (the live stream adds to it). */
  windowSeconds: number
}

/**
 * Per-second metrics for a page: the last `windowSeconds` from `metrics.history`, then one
 * sample a second from the `metrics.live` SSE stream (one stream per page). The stream pauses
 * while the engine is unreachable and starts again when it is back.
 *
 * @example
 * const { series, now, connection } = useLiveMetrics({ pipeline: 'orders', windowSeconds: 300 })
 * const samples = series.get('orders') ?? []
 */
export function useLiveMetrics({ pipeline, windowSeconds }: LiveMetricsOptions) {
  const trpc = useTRPC()
  const { reachable } = useEngineHealth()
  const history = useQuery({
    ...trpc.metrics.history.queryOptions({ pipeline, windowSeconds }),
    // Live samples keep it current from here on.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    enabled: reachable,
  })
  const [live, setLive] = useState<{ series: SeriesByPipeline; at: number | null }>({
    series: new Map(),
    at: null,
  })

  const subscription = useSubscription(
    trpc.metrics.live.subscriptionOptions(
      reachable ? (pipeline ? { pipelines: [pipeline] } : {}) : skipToken,
      {
        onData: (tick) => {
          setLive((previous) => ({
            series: appendSamples(previous.series, tick.samples),
            at: tick.at,
          }))
        },
      },
    ),
  )

  const series = useMemo(() => {
    const fromHistory = new Map(
      (history.data?.series ?? []).map((s) => [s.pipeline, s.samples] as const),
    )
    return mergeSeries(fromHistory, live.series)
  }, [history.data, live.series])

  const latestHistory = Math.max(
    0,
    ...(history.data?.series ?? []).map((s) => s.samples.at(-1)?.at ?? 0),
  )
  return {
    series,
    /** The newest second known: the chart's right edge. */
    now: live.at ?? (latestHistory > 0 ? latestHistory : null),
    loading: history.isPending && live.at === null,
    error: history.error ?? subscription.error,
    connection: subscription.status,
  }
}
