import { randomBytes } from 'node:crypto'
import { expect, test } from '@playwright/test'
import { e2eRun } from '../testing/e2eRun'
import { getPipeline, ingest, putPipeline, trpcQuery, uniqueName } from '../testing/engineApi'
import { saveScreenshot } from '../testing/screenshots'

test('the throughput chart draws the queries sent through the ingest API, live', async ({
  page,
}) => {
  const name = uniqueName('live_chart')
  await putPipeline(name, { strategy: 'best_effort', batchSize: 20, flushIntervalMs: 20 })
  await page.goto(`/pipelines/${name}`)
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible()
  const chart = page.getByTestId('chart-throughput')
  await expect(chart).toBeVisible()

  // Nothing sent yet: no point above zero has been drawn.
  await expect(chart.getByTestId('chart-throughput-summary')).toHaveText('0 queries/s')

  const until = Date.now() + 5_000
  let sent = 0
  while (Date.now() < until) {
    const results = await ingest(
      name,
      Array.from({ length: 30 }, (_, i) => ({ sql: 'SELECT $1::int * 2 AS doubled', params: [i] })),
    )
    expect(results.every((result) => result.success)).toBe(true)
    sent += results.length
    await page.waitForTimeout(150)
  }
  expect(sent).toBeGreaterThan(100)

  // The line is drawn through several seconds of samples, and the headline shows a rate.
  await expect(chart.locator('path.recharts-line-curve')).toHaveAttribute(
    'd',
    /M[\d.]+,[\d.]+(?:[LC][\d.,\s]+){3,}/,
  )
  await expect
    .poll(async () => Number(await chart.getAttribute('data-points')))
    .toBeGreaterThanOrEqual(3)
  await expect(page.getByTestId('chart-success-rate-summary')).toHaveText('100%')
  await expect(page.getByTestId('chart-batch-size-summary')).toHaveText(
    'configured 20 · effective 20',
  )

  // Recent batches list what ran, each linking to its trace in Jaeger.
  const batches = page.getByTestId('batch-row')
  await expect(batches.first()).toBeVisible()
  await expect(batches.first().getByTestId('batch-size')).toHaveText(/^\d+$/)
  const traceLink = page.getByRole('link', { name: /Trace of batch/ }).first()
  await expect(traceLink).toHaveAttribute(
    'href',
    new RegExp(
      `^${e2eRun().jaegerUiUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/trace/[0-9a-f]{32}$`,
    ),
  )
  await expect(traceLink).toHaveAttribute('target', '_blank')

  // Switching the window keeps the drawn data.
  await page.getByRole('button', { name: '15 min', exact: true }).click()
  await expect(page.getByRole('button', { name: '15 min', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  )
  await expect(chart.locator('path.recharts-line-curve')).toHaveAttribute('d', /L|C/)
  await page.getByRole('button', { name: '5 min', exact: true }).click()
  await saveScreenshot(page, 'pipeline-detail')
})

test('editing the batch size applies live and the engine batches with it', async ({ page }) => {
  const name = uniqueName('tuned')
  await putPipeline(name, { strategy: 'best_effort', batchSize: 100, flushIntervalMs: 50 })
  await page.goto(`/pipelines/${name}`)

  const editor = page.getByTestId('config-editor')
  await expect(editor.getByLabel('Batch size', { exact: true })).toHaveValue('100')
  await editor.getByLabel('Batch size', { exact: true }).fill('-3')
  await editor.getByRole('button', { name: 'Apply changes' }).click()
  await expect(editor.getByLabel('Batch size', { exact: true })).toHaveAccessibleDescription(
    'batchSize must be at least 1',
  )

  await editor.getByLabel('Batch size', { exact: true }).fill('7')
  await editor.getByLabel('Flush interval (ms)', { exact: true }).fill('2000')
  await editor.getByRole('button', { name: 'Apply changes' }).click()
  await expect(page.getByTestId('notice')).toContainText('batchSize 7')
  await expect(editor.getByText('Up to date with the engine')).toBeVisible()

  // The engine reports the new size, and uses it: 21 queries at once run as three batches of 7.
  const status = await getPipeline(name)
  expect(status.config).toMatchObject({ batchSize: 7, flushIntervalMs: 2000 })
  expect(status.status.effectiveBatchSize).toBe(7)
  const results = await ingest(
    name,
    Array.from({ length: 21 }, (_, i) => ({ sql: 'SELECT $1::int AS n', params: [i] })),
  )
  expect(results.every((result) => result.success)).toBe(true)
  const batches = await trpcQuery<{ items: { size: number }[] }>('batches.list', {
    pipeline: name,
    limit: 10,
  })
  expect(batches.items.map((batch) => batch.size)).toEqual([7, 7, 7])

  await expect(page.getByTestId('effective-batch-size')).toHaveText('7')
  await expect(page.getByTestId('batch-size')).toHaveText(['7', '7', '7'])
  await expect(page.getByTestId('chart-batch-size-summary')).toContainText('configured 7')
})

test('a batch links back to the traces of the requests whose queries it ran', async ({ page }) => {
  const name = uniqueName('callers')
  await putPipeline(name, { strategy: 'best_effort', batchSize: 10, flushIntervalMs: 20 })
  // An application whose request is traced sends its span as `traceparent`.
  const traceId = randomBytes(16).toString('hex')
  const spanId = randomBytes(8).toString('hex')
  const results = await ingest(name, [{ sql: 'SELECT 1 AS one' }], {
    traceparent: `00-${traceId}-${spanId}-01`,
  })
  expect(results.map((result) => result.success)).toEqual([true])

  await page.goto(`/pipelines/${name}`)
  const callers = page.getByTestId('batch-callers')
  await expect(callers).toHaveCount(1)
  const link = callers.getByRole('link', { name: /Trace of caller 1 of batch/ })
  await expect(link).toHaveText(traceId.slice(0, 8))
  await expect(link).toHaveAttribute('href', `${e2eRun().jaegerUiUrl}/trace/${traceId}`)
})
