'use client'

import { useCallback, useEffect, useState } from 'react'

/** A short message about the last action a page took. */
export interface Notice {
  message: string
  tone: 'success' | 'error'
  id: number
}

/** Shows a notice: what a component is given to tell the page what happened. */
export type Notify = (message: string, tone?: Notice['tone']) => void

/**
 * Holds the page's latest notice; success notices clear themselves after a few seconds,
 * errors stay until replaced or dismissed.
 *
 * @example
 * const { notice, notify, dismiss } = useNotice()
 * notify('Pipeline created')
 */
export function useNotice() {
  const [notice, setNotice] = useState<Notice | null>(null)
  const notify = useCallback<Notify>((message, tone = 'success') => {
    setNotice({ message, tone, id: Date.now() })
  }, [])
  const dismiss = useCallback(() => {
    setNotice(null)
  }, [])
  useEffect(() => {
    if (notice?.tone !== 'success') return
    const timer = setTimeout(() => {
      setNotice((current) => (current?.id === notice.id ? null : current))
    }, 6_000)
    return () => {
      clearTimeout(timer)
    }
  }, [notice])
  return { notice, notify, dismiss }
}
