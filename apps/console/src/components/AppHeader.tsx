'use client'

import Link from 'next/link'
import { usePathname } from 'next/navigation'

const links = [
  {
    href: '/',
    label: 'Pipelines',
    matches: (path: string) => path === '/' || path.startsWith('/pipelines'),
  },
  { href: '/failures', label: 'Failures', matches: (path: string) => path.startsWith('/failures') },
] as const

/**
 * The console's top bar: product name and the main navigation, with the current page marked.
 *
 * @example
 * <AppHeader />
 */
export function AppHeader() {
  const pathname = usePathname()
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
          {links.map((link) => {
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
    </header>
  )
}
