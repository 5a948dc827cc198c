import type { Metadata } from 'next'
import { FailureDetail } from '~/features/failures/FailureDetail'

interface PageProps {
  params: Promise<{ id: string }>
}

export async function generateMetadata({ params }: PageProps): Promise<Metadata> {
  const { id } = await params
  return { title: `Failed query ${id}` }
}

export default async function FailurePage({ params }: PageProps) {
  const { id } = await params
  return <FailureDetail id={id} />
}
