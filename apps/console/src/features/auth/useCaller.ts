'use client'

import { roleAllows, type Role } from '@sluice/contract'
import { useQuery } from '@tanstack/react-query'
import { useTRPC } from '~/trpc/trpc'

/**
 * Who is signed in, as the engine says (`auth.session`, prefetched by the layout), and what
 * their role lets the page show. The page only hides what a role may not do: the engine refuses
 * it anyway.
 *
 * @example
 * const { can } = useCaller()
 * if (can('operator')) return <RetryButton />
 */
export function useCaller() {
  const trpc = useTRPC()
  const session = useQuery({ ...trpc.auth.session.queryOptions(), staleTime: 60_000 })
  const caller = session.data?.caller ?? null
  return {
    session: session.data,
    caller,
    /** Whether the caller's role allows what `role` may do (false until the engine has said). */
    can: (role: Role) => caller !== null && roleAllows(caller.role, role),
    seesParams: caller?.seesParams ?? false,
  }
}
