'use client'

import { useQuery } from '@tanstack/react-query'
import { useTRPC } from '~/trpc/trpc'

/**
 * The engine's health, polled: every 10 s while it answers, every 3 s while it does not, so the
 * console notices quickly when it comes back. Every caller shares one query.
 *
 * @example
 * const { reachable } = useEngineHealth()
 */
export function useEngineHealth() {
  const trpc = useTRPC()
  const health = useQuery({
    ...trpc.health.get.queryOptions(),
    refetchInterval: (query) => (query.state.status === 'error' ? 3_000 : 10_000),
    retry: false,
    staleTime: 0,
  })
  return {
    health,
    /** False only once a check has failed; true while the first check is in flight. */
    reachable: health.status !== 'error',
  }
}
