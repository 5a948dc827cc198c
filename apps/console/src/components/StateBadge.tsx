import type { PipelineState } from '@sluice/engine/schemas'

const labels: Record<PipelineState, string> = {
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
export function StateBadge({ state, reason }: { state: PipelineState; reason?: string | null }) {
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
