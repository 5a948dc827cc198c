'use client'

import { useState } from 'react'

/**
 * The failed queries ticked on the current page, by id.
 *
 * @example
 * const selection = useFailureSelection()
 * selection.toggle('42')
 * retry.mutate({ ids: selection.ids })
 */
export function useFailureSelection() {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  return {
    selected,
    ids: [...selected],
    toggle: (id: string) => {
      const next = new Set(selected)
      if (next.has(id)) next.delete(id)
      else next.add(id)
      setSelected(next)
    },
    /** Ticks every id given, or none. */
    setAll: (ids: readonly string[], select: boolean) => {
      setSelected(select ? new Set(ids) : new Set())
    },
    clear: () => {
      setSelected(new Set())
    },
  }
}

export type FailureSelection = ReturnType<typeof useFailureSelection>
