import type { Metadata } from 'next'
import { Suspense } from 'react'
import { LoadingState } from '~/components/LoadingState'
import { FailuresPage } from '~/features/failures/FailuresPage'

export const metadata: Metadata = { title: 'Failed queries' }

export default function Failures() {
  // The filter lives in the query string, which is only known at request time.
  return (
    <Suspense fallback={<LoadingState label="Loading failed queries" />}>
      <FailuresPage />
    </Suspense>
  )
}
