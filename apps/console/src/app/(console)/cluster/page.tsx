import type { Metadata } from 'next'
import { ClusterPage } from '~/features/cluster/ClusterPage'
import { HydrateClient, prefetch, trpc } from '~/trpc/server'

export const metadata: Metadata = { title: 'Cluster' }

export default async function Cluster() {
  await prefetch(trpc.cluster.members.queryOptions())
  return (
    <HydrateClient>
      <ClusterPage />
    </HydrateClient>
  )
}
