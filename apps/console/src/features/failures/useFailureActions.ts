'use client'

import type { RetryReport } from '@sluice/contract'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import type { Notify } from '~/components/useNotice'
import { errorMessage } from '~/lib/errorMessage'
import { useTRPC } from '~/trpc/trpc'
import { describeRetry } from './describeRetry'

interface FailureActionsOptions {
  notify: Notify
  /** Runs first when a call ends (close a dialog; on success, clear a selection). */
  onDone?: (succeeded: boolean) => void
}

/**
 * Retry and discard, by id or for all matching a filter, each ending the same way: the failures
 * and the pipelines' open-failure counts are refreshed and the operator is told what happened.
 *
 * @example
 * const { retry, busy } = useFailureActions({ notify })
 * retry.mutate({ ids: ['42'] })
 */
export function useFailureActions({ notify, onDone }: FailureActionsOptions) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.failures.pathKey() })
    await queryClient.invalidateQueries({ queryKey: trpc.pipelines.pathKey() })
  }
  const retried = {
    onSuccess: async (report: RetryReport) => {
      onDone?.(true)
      await refresh()
      const { message, tone } = describeRetry(report)
      notify(message, tone)
    },
    onError: (error: unknown) => {
      onDone?.(false)
      notify(`Retry failed: ${errorMessage(error)}`, 'error')
    },
  }
  const discarded = {
    onSuccess: async (result: { count: number }) => {
      onDone?.(true)
      await refresh()
      notify(`Discarded ${result.count} failed ${result.count === 1 ? 'query' : 'queries'}.`)
    },
    onError: (error: unknown) => {
      onDone?.(false)
      notify(`Discard failed: ${errorMessage(error)}`, 'error')
    },
  }
  const retry = useMutation(trpc.failures.retry.mutationOptions(retried))
  const retryAll = useMutation(trpc.failures.retryAll.mutationOptions(retried))
  const discard = useMutation(trpc.failures.discard.mutationOptions(discarded))
  const discardAll = useMutation(trpc.failures.discardAll.mutationOptions(discarded))
  return {
    retry,
    retryAll,
    discard,
    discardAll,
    busy: retry.isPending || retryAll.isPending || discard.isPending || discardAll.isPending,
  }
}
