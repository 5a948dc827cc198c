import type { Metadata } from 'next'
import { FailureDetail } from '~/features/failures/FailureDetail'
import { HydrateClient, prefetch, trpc } from '~/trpc/server'

interface PageProps {
  params: Promise<{ id: string }>
}

export async function generateMetadata({ params }: PageProps): Promise<Metadata> {
  const { id } = await params
  return { title: `Failed query ${id}` }
}

export default async function FailurePage({ params }: PageProps) {
  const { id } = await params
  await prefetch(trpc.failures.get.queryOptions({ id }))
  return (
    <HydrateClient>
      <FailureDetail id={id} />
    </HydrateClient>
  )
}
