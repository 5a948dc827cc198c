import type { PipelineStateView } from '@sluice/contract'

const labels: Record<PipelineStateView, string> = {
  running: 'Running',
  paused: 'Paused',
  halted: 'Halted',
  unavailable: 'Unavailable',
  closed: 'Closed',
}

/**
 * A pipeline's state as a coloured pill; the reason (for halted or unavailable) is its tooltip.
 *
 * @example
 * <StateBadge state="halted" reason="23505: duplicate key" />
 */
export function StateBadge({
  state,
  reason,
}: {
  state: PipelineStateView
  reason?: string | null
}) {
  return (
    <span
      className={`badge badge-${state}`}
      title={reason ?? undefined}
      data-testid="pipeline-state"
    >
      {labels[state]}
    </span>
  )
}
