import type { Metadata } from 'next'
import { chartWindows } from '~/features/metrics/metricsWindows'
import { PipelineDetail } from '~/features/pipelines/PipelineDetail'
import { recentBatchesInput } from '~/features/pipelines/recentBatchesInput'
import { HydrateClient, prefetch, trpc } from '~/trpc/server'

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
  const name = segmentText((await params).name)
  await prefetch(
    trpc.pipelines.get.queryOptions({ name }),
    trpc.batches.list.queryOptions(recentBatchesInput(name)),
    trpc.cluster.metricsHistory.queryOptions({
      pipeline: name,
      windowSeconds: chartWindows[0].seconds,
    }),
  )
  return (
    <HydrateClient>
      <PipelineDetail name={name} />
    </HydrateClient>
  )
}
