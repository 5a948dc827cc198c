'use client'

import type { FailedQueryView } from '@sluice/contract'
import Link from 'next/link'
import { LocalTime } from '~/components/LocalTime'

interface FailuresTableProps {
  items: readonly FailedQueryView[]
  /** A checkbox per row (for roles that may retry or discard). */
  selectable: boolean
  selected: ReadonlySet<string>
  onToggle: (id: string) => void
  onToggleAll: (select: boolean) => void
}

/**
 * One page of failed queries with a checkbox per row. SQL and errors are rendered as React
 * text nodes, never as HTML, so a query holding markup shows as the characters it holds.
 *
 * @example
 * <FailuresTable items={page.items} selected={selected} onToggle={toggle} onToggleAll={toggleAll} />
 */
export function FailuresTable({
  items,
  selectable,
  selected,
  onToggle,
  onToggleAll,
}: FailuresTableProps) {
  const allSelected = items.length > 0 && items.every((item) => selected.has(item.id))
  return (
    <div className="table-wrap">
      <table
        className="table"
        aria-label="Failed queries"
        data-testid="failures-table"
        data-keyboard-rows
      >
        <thead>
          <tr>
            {selectable ? (
              <th scope="col" className="check">
                <input
                  type="checkbox"
                  aria-label="Select all on this page"
                  checked={allSelected}
                  onChange={(event) => onToggleAll(event.target.checked)}
                />
              </th>
            ) : null}
            <th scope="col">Last failed</th>
            <th scope="col">Pipeline</th>
            <th scope="col">SQL</th>
            <th scope="col">Error</th>
            <th scope="col" className="num">
              Attempts
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id} data-testid="failure-row" data-failure-id={item.id}>
              {selectable ? (
                <td className="check">
                  <input
                    type="checkbox"
                    aria-label={`Select failed query ${item.id}`}
                    checked={selected.has(item.id)}
                    onChange={() => onToggle(item.id)}
                  />
                </td>
              ) : null}
              <td className="nowrap">
                <Link
                  href={`/failures/${item.id}`}
                  aria-label={`Details of failed query ${item.id}`}
                >
                  <LocalTime value={item.lastFailedAt} />
                </Link>
              </td>
              <td>{item.pipeline}</td>
              <td className="cell-sql" title={item.sql} data-testid="failure-sql">
                {item.sql}
              </td>
              <td className="cell-error" title={item.error.detail ?? item.error.message}>
                {item.error.code ? <code className="tag">{item.error.code}</code> : null}{' '}
                {item.error.message}
              </td>
              <td className="num" data-testid="attempts">
                {item.attempts}
              </td>
              <td>
                <span className={`badge badge-failure-${item.status}`}>
                  {item.status === 'failed' ? item.outcome.replace('_', ' ') : item.status}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
