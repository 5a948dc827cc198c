'use client'

import { useQuery } from '@tanstack/react-query'
import { EmptyState } from '~/components/EmptyState'
import { ErrorNotice } from '~/components/ErrorNotice'
import { LoadingState } from '~/components/LoadingState'
import { LocalTime } from '~/components/LocalTime'
import { formatBytes, formatCount } from '~/lib/format'
import { useTRPC } from '~/trpc/trpc'

/** How often the member list is read again: about each heartbeat. */
export const clusterRefreshMs = 2_000

/**
 * The engines on the engine database, as the one this console talks to sees them: each one's
 * id, address, version, start, last heartbeat, what it runs and its load. A member whose
 * heartbeat stops leaves the list after the timeout the engine states.
 *
 * @example
 * <ClusterPage />
 */
export function ClusterPage() {
  const trpc = useTRPC()
  const cluster = useQuery({
    ...trpc.cluster.members.queryOptions(),
    refetchInterval: clusterRefreshMs,
  })
  return (
    <section aria-labelledby="cluster-title">
      <div className="page-header">
        <div>
          <h1 id="cluster-title">Cluster</h1>
          <p className="page-subtitle">
            Every engine on this engine database runs the same pipelines. An engine is listed while
            its heartbeat arrives
            {cluster.data
              ? ` (dropped after ${String(cluster.data.heartbeatTimeoutSeconds)} s without one)`
              : ''}
            ; metrics travel over{' '}
            {cluster.data?.metricsTransport === 'nats' ? 'NATS' : 'the engine database'}.
          </p>
        </div>
      </div>
      {cluster.isPending ? (
        <LoadingState label="Loading the cluster" />
      ) : cluster.isError ? (
        <ErrorNotice error={cluster.error} onRetry={() => void cluster.refetch()} />
      ) : cluster.data.members.length === 0 ? (
        <EmptyState title="No engine has joined yet">
          Engines register within a second of starting.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Cluster members" data-keyboard-rows>
            <thead>
              <tr>
                <th scope="col">Engine</th>
                <th scope="col">URL</th>
                <th scope="col">Version</th>
                <th scope="col">Started</th>
                <th scope="col">Heartbeat</th>
                <th scope="col">Pipelines</th>
                <th scope="col" className="num">
                  Queries/s
                </th>
                <th scope="col" className="num">
                  Queued
                </th>
                <th scope="col" className="num">
                  CPU
                </th>
                <th scope="col" className="num">
                  Memory
                </th>
              </tr>
            </thead>
            <tbody>
              {cluster.data.members.map((member) => {
                const halted = member.load.pipelines.filter((p) => p.state === 'halted').length
                const paused = member.load.pipelines.filter((p) => p.state === 'paused').length
                return (
                  <tr key={member.id} data-testid={`member-row-${member.id}`}>
                    <th scope="row">
                      {member.id}
                      {member.self ? (
                        <span className="cell-sub"> (this console’s engine)</span>
                      ) : null}
                    </th>
                    <td>
                      <code>{member.url}</code>
                    </td>
                    <td>{member.version}</td>
                    <td>
                      <LocalTime value={member.startedAt} />
                    </td>
                    <td>
                      <LocalTime value={member.heartbeatAt} />
                    </td>
                    <td
                      title={member.load.pipelines.map((p) => `${p.name}: ${p.state}`).join('\n')}
                    >
                      {member.load.pipelines.length}
                      {paused > 0 ? <span className="cell-sub"> · {paused} paused</span> : null}
                      {halted > 0 ? <span className="cell-sub"> · {halted} halted</span> : null}
                    </td>
                    <td className="num">{formatCount(member.load.queriesPerSecond)}</td>
                    <td className="num">{formatCount(member.load.queueDepth)}</td>
                    <td className="num">{member.load.cpuPercent.toFixed(0)}%</td>
                    <td className="num">{formatBytes(member.load.rssBytes)}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
