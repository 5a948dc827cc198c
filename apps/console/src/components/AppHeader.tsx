'use client'

import type { Role } from '@sluice/contract'
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { useCaller } from '~/features/auth/useCaller'

const links: readonly {
  href: string
  label: string
  role: Role
  matches: (path: string) => boolean
}[] = [
  {
    href: '/',
    label: 'Pipelines',
    role: 'viewer',
    matches: (path) => path === '/' || path.startsWith('/pipelines'),
  },
  {
    href: '/failures',
    label: 'Failures',
    role: 'viewer',
    matches: (path) => path.startsWith('/failures'),
  },
  {
    href: '/cluster',
    label: 'Cluster',
    role: 'viewer',
    matches: (path) => path.startsWith('/cluster'),
  },
  { href: '/audit', label: 'Audit', role: 'admin', matches: (path) => path.startsWith('/audit') },
  { href: '/users', label: 'Users', role: 'admin', matches: (path) => path.startsWith('/users') },
]

/**
 * The console's top bar: product name, the navigation the caller's role may use with the current
 * page marked, and who is signed in with a way out.
 *
 * @example
 * <AppHeader />
 */
export function AppHeader() {
  const pathname = usePathname()
  const { caller, can } = useCaller()
  return (
    <header className="app-header">
      <Link href="/" className="brand">
        <span className="brand-mark" aria-hidden="true">
          ≋
        </span>
        Sluice
      </Link>
      <nav aria-label="Main">
        <ul className="nav">
          {links
            .filter((link) => link.role === 'viewer' || can(link.role))
            .map((link) => {
              const current = link.matches(pathname)
              return (
                <li key={link.href}>
                  <Link
                    href={link.href}
                    className={current ? 'nav-link nav-link-current' : 'nav-link'}
                    aria-current={current ? 'page' : undefined}
                  >
                    {link.label}
                  </Link>
                </li>
              )
            })}
        </ul>
      </nav>
      {caller?.kind === 'user' ? (
        <div className="nav-end" data-testid="signed-in-as">
          <span>
            {caller.name} <span className="role-tag">{caller.role}</span>
          </span>
          <form method="post" action="/auth/sign-out">
            <button type="submit" className="button button-small">
              Sign out
            </button>
          </form>
        </div>
      ) : null}
    </header>
  )
}
