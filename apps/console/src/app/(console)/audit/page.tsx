import type { Metadata } from 'next'
import { Suspense } from 'react'
import { LoadingState } from '~/components/LoadingState'
import { auditListInput, readAuditParams } from '~/features/audit/auditParams'
import { AuditPage } from '~/features/audit/AuditPage'
import { toSearchParams } from '~/lib/urlParams'
import { HydrateClient, prefetch, trpc } from '~/trpc/server'

export const metadata: Metadata = { title: 'Audit log' }

interface PageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}

export default async function Audit({ searchParams }: PageProps) {
  const search = toSearchParams(await searchParams)
  const input = auditListInput(readAuditParams(search))
  if (input) await prefetch(trpc.audit.list.queryOptions(input))
  return (
    <HydrateClient>
      <Suspense fallback={<LoadingState label="Loading the audit log" />}>
        <AuditPage />
      </Suspense>
    </HydrateClient>
  )
}
