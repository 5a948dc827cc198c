'use client'

import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useState, type ReactNode } from 'react'
import { EmptyState } from '~/components/EmptyState'
import { ErrorNotice } from '~/components/ErrorNotice'
import { LoadingState } from '~/components/LoadingState'
import { NoticeBar } from '~/components/NoticeBar'
import { StateBadge } from '~/components/StateBadge'
import { useNotice } from '~/components/useNotice'
import { EngineViewPicker } from '~/features/metrics/EngineViewPicker'
import { chartWindows } from '~/features/metrics/metricsWindows'
import { useLiveMetrics } from '~/features/metrics/useLiveMetrics'
import { PipelineActions } from './PipelineActions'
import { formatCount, formatDuration, formatPercent } from '~/lib/format'
import { useTRPC } from '~/trpc/trpc'
import { ConfigEditor } from './ConfigEditor'
import { MetricsCharts } from './MetricsCharts'
import { RecentBatches } from './RecentBatches'
import { WindowPicker } from './WindowPicker'

/**
 * One pipeline: state and actions, live charts (the cluster, or one engine) over a chosen window, the configuration
 * editor, and recent batches with their traces.
 *
 * @example
 * <PipelineDetail name="orders" />
 */
export function PipelineDetail({ name }: { name: string }) {
  const trpc = useTRPC()
  const router = useRouter()
  const pipeline = useQuery({
    ...trpc.pipelines.get.queryOptions({ name }),
    refetchInterval: 3_000,
  })
  const [windowSeconds, setWindowSeconds] = useState<number>(chartWindows[0].seconds)
  const [engine, setEngine] = useState<string | undefined>(undefined)
  const metrics = useLiveMetrics({ pipeline: name, windowSeconds, engine })
  const { notice, notify, dismiss } = useNotice()

  if (pipeline.isPending) return <LoadingState label={`Loading pipeline ${name}`} />
  if (pipeline.isError) {
    const notFound = (pipeline.error.data as { code?: string } | undefined)?.code === 'NOT_FOUND'
    return notFound ? (
      <EmptyState title={`No pipeline named ${name}`}>
        <p>
          It may have been deleted. <Link href="/">Back to the pipelines</Link>
        </p>
      </EmptyState>
    ) : (
      <ErrorNotice error={pipeline.error} onRetry={() => void pipeline.refetch()} />
    )
  }

  const { status, config } = pipeline.data
  const samples = metrics.series.get(name) ?? []
  return (
    <section aria-labelledby="pipeline-title">
      <div className="page-header">
        <div>
          <div className="breadcrumb">
            <Link href="/">Pipelines</Link> /
          </div>
          <div className="title-row">
            <h1 id="pipeline-title">{name}</h1>
            <StateBadge state={status.state} reason={status.stateReason} />
            <code className="tag">{config.strategy}</code>
          </div>
          {status.stateReason ? <p className="page-subtitle">{status.stateReason}</p> : null}
        </div>
        <PipelineActions
          pipeline={pipeline.data}
          onNotice={notify}
          onDeleted={() => router.push('/')}
        />
      </div>
      <NoticeBar notice={notice} onDismiss={dismiss} />
      <dl className="stats" aria-label="Totals since the engine started">
        <Stat label="Queries" value={formatCount(status.totalQueries)} />
        <Stat label="Batches" value={formatCount(status.totalBatches)} />
        <Stat label="Success rate" value={formatPercent(status.successRate)} />
        <Stat label="Avg batch size" value={formatCount(status.avgBatchSize)} />
        <Stat
          label="Effective batch size"
          value={formatCount(status.effectiveBatchSize)}
          testId="effective-batch-size"
        />
        <Stat label="Avg batch time" value={formatDuration(status.avgExecutionTimeMs)} />
        <Stat label="Queued" value={formatCount(status.queueSize)} />
        <Stat
          label="Open failures"
          value={
            pipeline.data.openFailures > 0 ? (
              <Link href={`/failures?pipeline=${encodeURIComponent(name)}`} className="link-danger">
                {formatCount(pipeline.data.openFailures)}
              </Link>
            ) : (
              '0'
            )
          }
        />
      </dl>
      <div className="panel-header">
        <h2 className="panel-title">Live metrics</h2>
        <div className="panel-controls">
          {metrics.engines.length > 1 || engine !== undefined ? (
            <EngineViewPicker engines={metrics.engines} value={engine} onChange={setEngine} />
          ) : null}
          <WindowPicker value={windowSeconds} onChange={setWindowSeconds} />
        </div>
      </div>
      {metrics.error ? <ErrorNotice error={metrics.error} /> : null}
      {metrics.now === null ? (
        <LoadingState label="Waiting for the first metrics" />
      ) : (
        <MetricsCharts samples={samples} windowSeconds={windowSeconds} now={metrics.now} />
      )}
      <div className="two-col">
        <RecentBatches pipeline={name} />
        <ConfigEditor key={name} pipeline={pipeline.data} onNotice={notify} />
      </div>
    </section>
  )
}

function Stat({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  )
}
