'use client'

import { useEffect, useState } from 'react'
import { ConfirmDialog } from './ConfirmDialog'

/** The keys, as the `?` dialog lists them. */
const keys = [
  ['/', 'Focus the search or filter of this page'],
  ['j', 'Next row of the table'],
  ['k', 'Previous row of the table'],
  ['Enter', 'Open the current row'],
  ['x', 'Select or unselect the current row (where rows have a checkbox)'],
  ['?', 'Show these keys'],
  ['Esc', 'Close this list, leave a field'],
] as const

/** Keys typed into a field are the field's. */
function typing(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
  )
}

/** The rows `j`/`k` move through: the first table of the page that opts in. */
function rows(): HTMLTableRowElement[] {
  return Array.from(
    document.querySelectorAll<HTMLTableRowElement>('table[data-keyboard-rows] tbody tr'),
  )
}

function moveRow(step: 1 | -1): void {
  const all = rows()
  if (all.length === 0) return
  const current = all.findIndex((row) => row.classList.contains('row-current'))
  const next =
    all[
      current === -1
        ? step === 1
          ? 0
          : all.length - 1
        : Math.min(all.length - 1, Math.max(0, current + step))
    ]
  if (!next) return
  for (const row of all) row.classList.remove('row-current')
  next.classList.add('row-current')
  next.setAttribute('aria-current', 'true')
  for (const row of all) if (row !== next) row.removeAttribute('aria-current')
  next.scrollIntoView({ block: 'nearest' })
}

/**
 * The console's keyboard: `/` focuses the page's search (the element marked
 * `data-shortcut="search"`), `j`/`k` move through the page's table (`data-keyboard-rows`),
 * Enter opens the current row's link, `x` toggles its checkbox, `?` lists the keys.
 *
 * @example
 * <KeyboardShortcuts />
 */
export function KeyboardShortcuts() {
  const [helpOpen, setHelpOpen] = useState(false)
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return
      if (event.key === 'Escape' && typing(event.target)) {
        ;(event.target as HTMLElement).blur()
        return
      }
      if (typing(event.target) || document.querySelector('dialog[open]')) return
      const current = document.querySelector<HTMLTableRowElement>(
        'table[data-keyboard-rows] tbody tr.row-current',
      )
      switch (event.key) {
        case '/': {
          const search = document.querySelector<HTMLElement>('[data-shortcut="search"]')
          if (!search) return
          event.preventDefault()
          search.focus()
          return
        }
        case 'j':
        case 'k':
          event.preventDefault()
          moveRow(event.key === 'j' ? 1 : -1)
          return
        case 'Enter':
          if (!current || document.activeElement !== document.body) return
          event.preventDefault()
          current.querySelector<HTMLAnchorElement>('a[href]')?.click()
          return
        case 'x':
          current?.querySelector<HTMLInputElement>('input[type="checkbox"]')?.click()
          return
        case '?':
          event.preventDefault()
          setHelpOpen(true)
          return
      }
    }
    window.addEventListener('keydown', onKey)
    return () => {
      window.removeEventListener('keydown', onKey)
    }
  }, [])
  return (
    <ConfirmDialog
      open={helpOpen}
      title="Keyboard shortcuts"
      confirmLabel="Close"
      cancelLabel={null}
      onConfirm={() => setHelpOpen(false)}
      onCancel={() => setHelpOpen(false)}
    >
      <dl className="keys" data-testid="keyboard-shortcuts">
        {keys.map(([key, what]) => (
          <div key={key} style={{ display: 'contents' }}>
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </ConfirmDialog>
  )
}
