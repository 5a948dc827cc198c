import { PipelinesOverview } from '~/features/pipelines/PipelinesOverview'

export default function OverviewPage() {
  return <PipelinesOverview />
}
