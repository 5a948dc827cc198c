'use client'

import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef } from 'react'
import { errorMessage } from '~/lib/errorMessage'
import { useEngineHealth } from './useEngineHealth'

/**
 * A banner across the top while the engine cannot be reached, with a "retry now" button. When
 * the engine answers again every query is refreshed.
 *
 * @example
 * <EngineBanner />
 */
export function EngineBanner() {
  const { health, reachable } = useEngineHealth()
  const queryClient = useQueryClient()
  const wasReachable = useRef(true)

  useEffect(() => {
    if (reachable && !wasReachable.current) void queryClient.invalidateQueries()
    wasReachable.current = reachable
  }, [reachable, queryClient])

  if (reachable) {
    if (health.data?.status === 'degraded') {
      return (
        <div className="banner banner-warning" role="status" data-testid="engine-degraded">
          The engine is running but its database is not answering. Pipelines may stall until it is
          back.
        </div>
      )
    }
    return null
  }
  return (
    <div className="banner banner-error" role="alert" data-testid="engine-unreachable">
      <div>
        <strong>Cannot reach the Sluice engine.</strong> {errorMessage(health.error)} Retrying every
        few seconds.
      </div>
      <button
        type="button"
        className="button button-small"
        onClick={() => void health.refetch()}
        disabled={health.isFetching}
      >
        {health.isFetching ? 'Checking…' : 'Retry now'}
      </button>
    </div>
  )
}
