import type { Metadata } from 'next'
import { PipelineDetail } from '~/features/pipelines/PipelineDetail'

interface PageProps {
  params: Promise<{ name: string }>
}

/** The route segment as text; a malformed escape is shown as typed rather than crashing the page. */
function segmentText(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

export async function generateMetadata({ params }: PageProps): Promise<Metadata> {
  const { name } = await params
  return { title: segmentText(name) }
}

export default async function PipelinePage({ params }: PageProps) {
  const { name } = await params
  return <PipelineDetail name={segmentText(name)} />
}
