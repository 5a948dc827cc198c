import { expect, test } from '@playwright/test'
import { getPipeline, ingest, putPipeline, uniqueName } from '../testing/engineApi'
import { saveScreenshot } from '../testing/screenshots'

test('creates a pipeline from the form, with the engine schema’s errors next to the fields', async ({
  page,
}) => {
  const name = uniqueName('ui_created')
  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'Pipelines', level: 1 })).toBeVisible()
  await page.getByRole('button', { name: 'New pipeline' }).click()

  const form = page.getByTestId('create-pipeline-form')
  await form.getByLabel('Name', { exact: true }).fill('bad name!')
  await form.getByLabel('Batch size', { exact: true }).fill('0')
  await form.getByLabel('Flush interval (ms)', { exact: true }).fill('soon')
  await form.getByRole('button', { name: 'Create pipeline' }).click()

  // Each mistake is named next to its own field, and nothing was created.
  await expect(form.getByLabel('Name', { exact: true })).toHaveAccessibleDescription(
    /letters, digits/,
  )
  await expect(form.getByLabel('Batch size', { exact: true })).toHaveAccessibleDescription(
    'batchSize must be at least 1',
  )
  await expect(form.getByLabel('Flush interval (ms)', { exact: true })).toHaveAccessibleDescription(
    'flushIntervalMs must be a number',
  )
  await saveScreenshot(page, 'create-pipeline-errors')

  await form.getByLabel('Name', { exact: true }).fill(name)
  await form.getByLabel('Strategy', { exact: true }).selectOption('transactional')
  await form.getByLabel('Batch size', { exact: true }).fill('25')
  await form.getByLabel('Flush interval (ms)', { exact: true }).fill('200')
  await form.getByRole('button', { name: 'Create pipeline' }).click()

  await expect(page.getByTestId('notice')).toContainText(`Created pipeline ${name}`)
  const row = page.getByTestId(`pipeline-row-${name}`)
  await expect(row).toContainText('transactional')
  await expect(row.getByTestId('pipeline-state')).toHaveText('Running')

  // The engine runs it with exactly what the form said.
  const created = await getPipeline(name)
  expect(created.config).toMatchObject({
    strategy: 'transactional',
    batchSize: 25,
    flushIntervalMs: 200,
  })

  // Taking a name twice is refused, and the form says so next to the name.
  await page.getByRole('button', { name: 'New pipeline' }).click()
  await form.getByLabel('Name', { exact: true }).fill(name)
  await form.getByRole('button', { name: 'Create pipeline' }).click()
  await expect(form.getByLabel('Name', { exact: true })).toHaveAccessibleDescription(
    /exists already/,
  )
  await form.getByRole('button', { name: 'Cancel' }).click()
})

test('pauses, resumes, flushes and deletes (after confirming) from the overview', async ({
  page,
}) => {
  const name = uniqueName('ui_actions')
  await putPipeline(name, { batchSize: 10, flushIntervalMs: 100 })
  await page.goto('/')
  const row = page.getByTestId(`pipeline-row-${name}`)

  await row.getByRole('button', { name: 'Pause' }).click()
  await expect(row.getByTestId('pipeline-state')).toHaveText('Paused')
  expect((await getPipeline(name)).status.state).toBe('paused')

  await row.getByRole('button', { name: 'Resume' }).click()
  await expect(row.getByTestId('pipeline-state')).toHaveText('Running')

  await row.getByRole('button', { name: 'Flush now' }).click()
  await expect(page.getByTestId('notice')).toContainText(`Flushed ${name}`)

  await row.getByRole('button', { name: 'Delete' }).click()
  const dialog = page.getByRole('dialog', { name: `Delete pipeline ${name}?` })
  await expect(dialog).toBeVisible()
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await expect(row).toBeVisible()

  await row.getByRole('button', { name: 'Delete' }).click()
  await dialog.getByRole('button', { name: 'Delete pipeline' }).click()
  await expect(row).toHaveCount(0)
  await expect(getPipeline(name)).rejects.toThrow(/404/)
})

test('overview shows live throughput, success rate and queue depth', async ({ page }) => {
  const busy = uniqueName('orders')
  const quiet = uniqueName('audit_log')
  await putPipeline(busy, { strategy: 'parallel', batchSize: 50, flushIntervalMs: 20 })
  await putPipeline(quiet, { strategy: 'sequential', batchSize: 20, flushIntervalMs: 50 })
  await page.goto('/')

  // A few seconds of traffic, with one failing query in twenty.
  const until = Date.now() + 6_000
  while (Date.now() < until) {
    const queries = Array.from({ length: 40 }, (_, i) =>
      i % 20 === 7 ? { sql: 'SELECT 1/0' } : { sql: 'SELECT $1::int AS n', params: [i] },
    )
    await Promise.all([ingest(busy, queries), ingest(quiet, [{ sql: 'SELECT now()' }])])
    await page.waitForTimeout(200)
  }

  const row = page.getByTestId(`pipeline-row-${busy}`)
  await expect(row.getByTestId('sparkline')).not.toHaveAttribute('data-points', '0')
  await expect(row.getByTestId('success-rate')).toHaveText(/^9\d(\.\d)?%$/)
  await expect(row.getByTestId('queue-depth')).toHaveText(/^\d+$/)
  await saveScreenshot(page, 'overview')
})

test('a halted sequential pipeline says why, and resumes from the console', async ({ page }) => {
  const name = uniqueName('halting')
  await putPipeline(name, { strategy: 'sequential', batchSize: 10, flushIntervalMs: 20 })
  const results = await ingest(name, [
    { sql: 'SELECT 1' },
    { sql: 'SELECT 1/0' },
    { sql: 'SELECT 2' },
  ])
  expect(results.map((result) => result.status)).toEqual(['succeeded', 'failed', 'skipped'])

  await page.goto('/')
  const state = page.getByTestId(`pipeline-row-${name}`).getByTestId('pipeline-state')
  await expect(state).toHaveText('Halted')
  await expect(state).toHaveAttribute('title', /division by zero/)

  await page.getByRole('link', { name, exact: true }).click()
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible()
  await expect(page.getByText(/division by zero/).first()).toBeVisible()
  await page.getByRole('button', { name: 'Resume' }).click()
  await expect(page.getByTestId('pipeline-state')).toHaveText('Running')
  const [after] = await ingest(name, [{ sql: 'SELECT 3 AS n' }])
  expect(after?.status).toBe('succeeded')
})
