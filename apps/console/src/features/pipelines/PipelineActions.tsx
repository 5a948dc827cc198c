'use client'

import type { PipelineView } from '@sluice/contract'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { ConfirmDialog } from '~/components/ConfirmDialog'
import type { Notify } from '~/components/useNotice'
import { errorMessage } from '~/lib/errorMessage'
import { useCaller } from '~/features/auth/useCaller'
import { useTRPC } from '~/trpc/trpc'

interface PipelineActionsProps {
  pipeline: PipelineView
  /** Tells the page what happened ("Flushed 12 queued queries"). */
  onNotice: Notify
  onDeleted?: () => void
}

/**
 * Pause or resume, flush now, and delete (after a confirmation) for one pipeline.
 *
 * @example
 * <PipelineActions pipeline={pipeline} onNotice={notify} />
 */
export function PipelineActions({ pipeline, onNotice, onDeleted }: PipelineActionsProps) {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [confirmingDelete, setConfirmingDelete] = useState(false)
  const { can } = useCaller()
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.pipelines.pathKey() })
  const failed = (action: string) => (error: unknown) => {
    onNotice(`Could not ${action} ${pipeline.name}: ${errorMessage(error)}`, 'error')
  }
  const name = pipeline.name

  const pause = useMutation(
    trpc.pipelines.pause.mutationOptions({
      onSuccess: async () => {
        await refresh()
        onNotice(`Paused ${name}: new queries are refused until resumed.`)
      },
      onError: failed('pause'),
    }),
  )
  const resume = useMutation(
    trpc.pipelines.resume.mutationOptions({
      onSuccess: async () => {
        await refresh()
        onNotice(`Resumed ${name}.`)
      },
      onError: failed('resume'),
    }),
  )
  const flush = useMutation(
    trpc.pipelines.flush.mutationOptions({
      onSuccess: async (result) => {
        await refresh()
        onNotice(
          `Flushed ${name}: ${result.queued} queued ${result.queued === 1 ? 'query' : 'queries'} sent.`,
        )
      },
      onError: failed('flush'),
    }),
  )
  const remove = useMutation(
    trpc.pipelines.delete.mutationOptions({
      onSuccess: async () => {
        setConfirmingDelete(false)
        await refresh()
        onNotice(`Deleted ${name}.`)
        onDeleted?.()
      },
      onError: (error) => {
        setConfirmingDelete(false)
        failed('delete')(error)
      },
    }),
  )

  // Halted pipelines (sequential, after a failure) resume the same way paused ones do.
  const canResume = pipeline.paused || pipeline.status.state === 'halted'
  const busy = pause.isPending || resume.isPending || flush.isPending || remove.isPending
  // What the role may not do is left out (the engine would refuse it anyway).
  if (!can('operator')) return null
  return (
    <div className="actions" role="group" aria-label={`Actions for ${name}`}>
      <button
        type="button"
        className="button button-small"
        disabled={busy}
        onClick={() => (canResume ? resume : pause).mutate({ name })}
      >
        {canResume ? 'Resume' : 'Pause'}
      </button>
      <button
        type="button"
        className="button button-small"
        disabled={busy}
        onClick={() => flush.mutate({ name })}
      >
        Flush now
      </button>
      {can('admin') ? (
        <button
          type="button"
          className="button button-small button-danger-outline"
          disabled={busy}
          onClick={() => setConfirmingDelete(true)}
        >
          Delete
        </button>
      ) : null}
      <ConfirmDialog
        open={confirmingDelete}
        title={`Delete pipeline ${name}?`}
        confirmLabel="Delete pipeline"
        danger
        busy={remove.isPending}
        onConfirm={() => remove.mutate({ name })}
        onCancel={() => setConfirmingDelete(false)}
      >
        <p>
          Its configuration is removed and applications posting to{' '}
          <code>/v1/pipelines/{name}/queries</code> will get 404.
        </p>
        {pipeline.openFailures > 0 ? (
          <p>
            It has {pipeline.openFailures} open failed{' '}
            {pipeline.openFailures === 1 ? 'query' : 'queries'}.
          </p>
        ) : null}
      </ConfirmDialog>
    </div>
  )
}
