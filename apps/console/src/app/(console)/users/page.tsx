import type { Metadata } from 'next'
import { UsersPage } from '~/features/users/UsersPage'
import { HydrateClient, prefetch, trpc } from '~/trpc/server'

export const metadata: Metadata = { title: 'Users' }

export default async function Users() {
  await prefetch(trpc.users.list.queryOptions())
  return (
    <HydrateClient>
      <UsersPage />
    </HydrateClient>
  )
}
