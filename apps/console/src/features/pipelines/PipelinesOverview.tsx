'use client'

import type { MetricsSample, PipelineView } from '@sluice/contract'
import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { useState } from 'react'
import { EmptyState } from '~/components/EmptyState'
import { ErrorNotice } from '~/components/ErrorNotice'
import { LoadingState } from '~/components/LoadingState'
import { NoticeBar } from '~/components/NoticeBar'
import { Sparkline } from '~/components/Sparkline'
import { StateBadge } from '~/components/StateBadge'
import { useNotice, type Notify } from '~/components/useNotice'
import { sparklineSeconds } from '~/features/metrics/metricsWindows'
import { useLiveMetrics } from '~/features/metrics/useLiveMetrics'
import { formatCount, formatPercent } from '~/lib/format'
import { useCaller } from '~/features/auth/useCaller'
import { useTRPC } from '~/trpc/trpc'
import { CreatePipelineForm } from './CreatePipelineForm'
import { PipelineActions } from './PipelineActions'

/** Throughput per second over the last minute, with gaps where no sample came. */
function lastMinute(samples: readonly MetricsSample[], now: number | null): (number | null)[] {
  if (now === null) return []
  const second = (at: number) => Math.floor(at / 1000)
  const bySecond = new Map(samples.map((s) => [second(s.at), s.queriesPerSecond]))
  const last = second(now)
  return Array.from(
    { length: sparklineSeconds },
    (_, i) => bySecond.get(last - (sparklineSeconds - 1 - i)) ?? null,
  )
}

/** Success rate over the samples of the last minute, or null when nothing finished. */
function recentSuccessRate(samples: readonly MetricsSample[], now: number | null): number | null {
  if (now === null) return null
  const recent = samples.filter((s) => s.at > now - sparklineSeconds * 1000)
  const succeeded = recent.reduce((sum, s) => sum + s.succeeded, 0)
  const finished = succeeded + recent.reduce((sum, s) => sum + s.failed, 0)
  return finished === 0 ? null : succeeded / finished
}

/**
 * The pipelines overview: every pipeline with its state, the last minute of throughput, success
 * rate and queue depth, live; create, pause, resume, flush and delete from here.
 *
 * @example
 * <PipelinesOverview />
 */
export function PipelinesOverview() {
  const trpc = useTRPC()
  const pipelines = useQuery({ ...trpc.pipelines.list.queryOptions(), refetchInterval: 5_000 })
  const { series, now } = useLiveMetrics({ windowSeconds: sparklineSeconds })
  const [creating, setCreating] = useState(false)
  const mayCreate = useCaller().can('admin')
  const { notice, notify, dismiss } = useNotice()

  return (
    <section aria-labelledby="pipelines-title">
      <div className="page-header">
        <div>
          <h1 id="pipelines-title">Pipelines</h1>
          <p className="page-subtitle">
            Live throughput, success rate and queue depth of every pipeline the engine runs.
          </p>
        </div>
        {creating || !mayCreate ? null : (
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            New pipeline
          </button>
        )}
      </div>
      <NoticeBar notice={notice} onDismiss={dismiss} />
      {creating ? (
        <CreatePipelineForm
          onCancel={() => setCreating(false)}
          onCreated={(name) => {
            setCreating(false)
            notify(`Created pipeline ${name}. Send queries to POST /v1/pipelines/${name}/queries.`)
          }}
        />
      ) : null}
      {pipelines.isPending ? (
        <LoadingState label="Loading pipelines" />
      ) : pipelines.isError ? (
        <ErrorNotice error={pipelines.error} onRetry={() => void pipelines.refetch()} />
      ) : pipelines.data.length === 0 ? (
        <EmptyState title="No pipelines yet">
          <p>
            {mayCreate ? (
              <>
                Create one with <strong>New pipeline</strong>, or start the engine with{' '}
                <code>--demo</code> for a pipeline fed by a synthetic load.
              </>
            ) : (
              'An admin can create one.'
            )}
          </p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Pipelines" data-keyboard-rows>
            <thead>
              <tr>
                <th scope="col">Pipeline</th>
                <th scope="col">Strategy</th>
                <th scope="col">State</th>
                <th scope="col" title="Queries per second over the last minute">
                  Throughput · 1 min
                </th>
                <th
                  scope="col"
                  className="num"
                  title="Share of queries that succeeded in the last minute"
                >
                  Success · 1 min
                </th>
                <th scope="col" className="num" title="Queries waiting in the pipeline's queue now">
                  Queued
                </th>
                <th scope="col" className="num">
                  Open failures
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {pipelines.data.map((pipeline) => (
                <PipelineRow
                  key={pipeline.name}
                  pipeline={pipeline}
                  samples={series.get(pipeline.name) ?? []}
                  now={now}
                  onNotice={notify}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

interface PipelineRowProps {
  pipeline: PipelineView
  samples: readonly MetricsSample[]
  now: number | null
  onNotice: Notify
}

function PipelineRow({ pipeline, samples, now, onNotice }: PipelineRowProps) {
  const spark = lastMinute(samples, now)
  const latest = samples.at(-1)
  const rate = recentSuccessRate(samples, now)
  const queueDepth = latest?.queueDepth ?? pipeline.status.queueSize
  return (
    <tr data-testid={`pipeline-row-${pipeline.name}`}>
      <th scope="row">
        <Link href={`/pipelines/${encodeURIComponent(pipeline.name)}`} className="link-strong">
          {pipeline.name}
        </Link>
        <div className="cell-sub">target {pipeline.config.target}</div>
      </th>
      <td>
        <code className="tag">{pipeline.config.strategy}</code>
      </td>
      <td>
        <StateBadge state={pipeline.status.state} reason={pipeline.status.stateReason} />
      </td>
      <td>
        <div className="spark-cell">
          <Sparkline
            values={spark}
            width={100}
            label={`Throughput of ${pipeline.name} over the last minute`}
          />
          <span className="spark-value" data-testid="throughput-now">
            {formatCount(latest?.queriesPerSecond ?? 0)} q/s
          </span>
        </div>
      </td>
      <td
        className="num"
        data-testid="success-rate"
        title={`Since the engine started: ${formatPercent(pipeline.status.successRate)}`}
      >
        {formatPercent(rate)}
      </td>
      <td className="num" data-testid="queue-depth">
        {formatCount(queueDepth)}
      </td>
      <td className="num">
        {pipeline.openFailures > 0 ? (
          <Link
            href={`/failures?pipeline=${encodeURIComponent(pipeline.name)}`}
            className="link-danger"
          >
            {formatCount(pipeline.openFailures)}
          </Link>
        ) : (
          '0'
        )}
      </td>
      <td>
        <PipelineActions pipeline={pipeline} onNotice={onNotice} />
      </td>
    </tr>
  )
}
