import type { Metadata } from 'next'
import { Suspense } from 'react'
import { LoadingState } from '~/components/LoadingState'
import { failuresPageRequest, readFilterParams } from '~/features/failures/failureFilterParams'
import { FailuresPage } from '~/features/failures/FailuresPage'
import { toSearchParams } from '~/lib/urlParams'
import { HydrateClient, prefetch, trpc } from '~/trpc/server'

export const metadata: Metadata = { title: 'Failed queries' }

interface PageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}

export default async function Failures({ searchParams }: PageProps) {
  const search = toSearchParams(await searchParams)
  // The page the browser will ask for. From/to read in the server's time zone: where that is not
  // the browser's, the key differs and the browser fetches that page itself.
  const { list } = failuresPageRequest(readFilterParams(search))
  await prefetch(
    trpc.pipelines.list.queryOptions(),
    ...(list ? [trpc.failures.list.queryOptions(list)] : []),
  )
  return (
    <HydrateClient>
      {/* The filter lives in the query string, which is only known at request time. */}
      <Suspense fallback={<LoadingState label="Loading failed queries" />}>
        <FailuresPage />
      </Suspense>
    </HydrateClient>
  )
}
