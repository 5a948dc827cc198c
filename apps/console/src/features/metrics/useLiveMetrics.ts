'use client'

import type { ClusterMetricsHistory } from '@sluice/contract'
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
  /** One engine's own numbers; the whole cluster's totals when left out. */
  engine?: string | undefined
}

/** The key of the cluster's totals among the views kept. */
const clusterKey = ''

const historyOf = (
  data: ClusterMetricsHistory | undefined,
  engine: string | undefined,
): SeriesByPipeline => {
  const series =
    engine === undefined
      ? (data?.series ?? [])
      : (data?.engines.find((entry) => entry.engineId === engine)?.series ?? [])
  return new Map(series.map((s) => [s.pipeline, s.samples] as const))
}

/**
 * Per-second metrics for a page, of the whole cluster (every engine on the engine database) or
 * of one engine: the last `windowSeconds` from `cluster.metricsHistory`, then one second at a
 * time from the `cluster.metricsLive` SSE stream (one stream per page, carrying every engine's
 * samples, so switching the view needs no new request). A cluster second arrives one second
 * after it closed, once every engine's samples of it are in. The stream pauses while the engine
 * is unreachable and starts again when it is back.
 *
 * @example
 * const { series, now, engines } = useLiveMetrics({ pipeline: 'orders', windowSeconds: 300 })
 * const samples = series.get('orders') ?? []
 */
export function useLiveMetrics({ pipeline, windowSeconds, engine }: LiveMetricsOptions) {
  const trpc = useTRPC()
  const { reachable } = useEngineHealth()
  const history = useQuery({
    ...trpc.cluster.metricsHistory.queryOptions({ pipeline, windowSeconds }),
    // Live samples keep it current from here on.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    enabled: reachable,
  })
  const [live, setLive] = useState<{
    byView: ReadonlyMap<string, SeriesByPipeline>
    at: number | null
  }>({ byView: new Map(), at: null })

  const subscription = useSubscription(
    trpc.cluster.metricsLive.subscriptionOptions(
      reachable ? (pipeline ? { pipelines: [pipeline] } : {}) : skipToken,
      {
        onData: (tick) => {
          setLive((previous) => {
            const byView = new Map(previous.byView)
            byView.set(clusterKey, appendSamples(byView.get(clusterKey) ?? new Map(), tick.samples))
            for (const entry of tick.engines) {
              byView.set(
                entry.engineId,
                appendSamples(byView.get(entry.engineId) ?? new Map(), entry.samples),
              )
            }
            return { byView, at: tick.at }
          })
        },
      },
    ),
  )

  const series = useMemo(
    () =>
      mergeSeries(
        historyOf(history.data, engine),
        live.byView.get(engine ?? clusterKey) ?? new Map(),
      ),
    [history.data, live.byView, engine],
  )
  const engines = useMemo(
    () =>
      [
        ...new Set([
          ...(history.data?.engines ?? []).map((entry) => entry.engineId),
          ...[...live.byView.keys()].filter((key) => key !== clusterKey),
        ]),
      ].sort(),
    [history.data, live.byView],
  )

  const latestHistory = Math.max(
    0,
    ...(history.data?.series ?? []).map((s) => s.samples.at(-1)?.at ?? 0),
  )
  return {
    series,
    /** The engines that sent numbers in the window: the per-engine views on offer. */
    engines,
    /** The newest second known: the chart's right edge. */
    now: live.at ?? (latestHistory > 0 ? latestHistory : null),
    loading: history.isPending && live.at === null,
    error: history.error ?? subscription.error,
    connection: subscription.status,
  }
}
