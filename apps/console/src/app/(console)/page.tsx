import { sparklineSeconds } from '~/features/metrics/metricsWindows'
import { PipelinesOverview } from '~/features/pipelines/PipelinesOverview'
import { HydrateClient, prefetch, trpc } from '~/trpc/server'

export default async function OverviewPage() {
  await prefetch(
    trpc.pipelines.list.queryOptions(),
    trpc.cluster.metricsHistory.queryOptions({ windowSeconds: sparklineSeconds }),
  )
  return (
    <HydrateClient>
      <PipelinesOverview />
    </HydrateClient>
  )
}
