import { expect, test } from '@playwright/test'
import type pg from 'pg'
import { openDatabase } from '../testing/database'
import { ingest, putPipeline, uniqueName } from '../testing/engineApi'
import { saveScreenshot } from '../testing/screenshots'

let db: pg.Pool
test.beforeAll(() => {
  db = openDatabase()
})
test.afterAll(async () => {
  await db.end()
})

/** A table with a primary key and a pipeline writing to it; rows 1 and 3 already exist. */
async function setUp(prefix: string) {
  const table = uniqueName(`${prefix}_items`)
  const pipeline = uniqueName(prefix)
  await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, label text NOT NULL)`)
  await db.query(`INSERT INTO ${table} VALUES (1, 'old one'), (3, 'old three')`)
  await putPipeline(pipeline, {
    strategy: 'best_effort',
    batchSize: 10,
    flushIntervalMs: 20,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  })
  const insert = `INSERT INTO ${table} (id, label) VALUES ($1, $2)`
  return { table, pipeline, insert }
}

test('unique violations land in the failures table; after fixing the data, retry all matching lands the rows', async ({
  page,
}) => {
  const { table, pipeline, insert } = await setUp('retry_all')
  const results = await ingest(pipeline, [
    { sql: insert, params: [1, 'new one'] },
    { sql: insert, params: [2, 'new two'] },
    { sql: insert, params: [3, 'new three'] },
  ])
  expect(results.map((r) => r.status)).toEqual(['failed', 'succeeded', 'failed'])
  expect(results[0]?.error?.code).toBe('23505')

  await page.goto('/failures')
  await expect(page.getByRole('heading', { name: 'Failed queries', level: 1 })).toBeVisible()
  // The default view is failing only, and it says so.
  await expect(page.getByLabel('Status')).toHaveValue('failed')
  await expect(page.getByLabel('Status').locator('option:checked')).toHaveText('Failing only')
  await page.getByLabel('Pipeline').selectOption(pipeline)
  await page.getByLabel('SQLSTATE').fill('23505')
  await page.getByRole('button', { name: 'Apply filters' }).click()
  await expect(page).toHaveURL(new RegExp(`pipeline=${pipeline}.*sqlstate=23505`))

  const rows = page.getByTestId('failure-row')
  await expect(rows).toHaveCount(2)
  await expect(page.getByTestId('failures-count')).toHaveText('2 matching')
  await expect(rows.first()).toContainText('23505')
  await expect(rows.first()).toContainText('duplicate key value violates unique constraint')
  await saveScreenshot(page, 'failures')

  // The detail shows SQL, parameters, error, SQLSTATE, detail, attempts and times.
  await rows.first().getByRole('link').click()
  await expect(page).toHaveURL(/\/failures\/\d+$/)
  await expect(page.getByTestId('failure-detail-sql')).toHaveText(insert)
  await expect(page.getByTestId('failure-detail-params')).toContainText('"new')
  await expect(page.getByTestId('failure-error')).toContainText(
    'duplicate key value violates unique constraint',
  )
  await expect(page.getByText(/Key \(id\)=\([13]\) already exists/)).toBeVisible()
  await expect(page.getByTestId('failure-attempts')).toHaveText('1')
  await expect(page.getByTestId('failure-sqlstate')).toHaveText('23505')
  for (const testId of ['failure-first-failed', 'failure-last-failed']) {
    const shown = page.getByTestId(testId)
    await expect(shown).toHaveText(/\d{2} \w{3} \d{4}, \d{2}:\d{2}:\d{2}/)
    const at = Date.parse((await shown.getAttribute('datetime')) ?? '')
    expect(Math.abs(Date.now() - at)).toBeLessThan(5 * 60_000)
  }
  await saveScreenshot(page, 'failure-detail')
  await page.goBack()

  // Fix the cause, then retry everything the filter matches, after seeing how many that is.
  await db.query(`DELETE FROM ${table} WHERE id IN (1, 3)`)
  await page.getByRole('button', { name: 'Retry all matching…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Retry all matching failed queries?' })
  await expect(dialog.getByTestId('retry-all-count')).toContainText(
    '2 failed queries match the filter',
  )
  await dialog.getByRole('button', { name: 'Retry 2' }).click()
  await expect(page.getByTestId('notice')).toContainText('Retried 2 queries: 2 succeeded')
  await expect(page.getByText('No failing queries')).toBeVisible()

  const landed = await db.query<{ id: number; label: string }>(
    `SELECT id, label FROM ${table} ORDER BY id`,
  )
  expect(landed.rows).toEqual([
    { id: 1, label: 'new one' },
    { id: 2, label: 'new two' },
    { id: 3, label: 'new three' },
  ])

  // They are kept as resolved, not forgotten.
  await page.getByLabel('Status').selectOption('resolved')
  await page.getByRole('button', { name: 'Apply filters' }).click()
  await expect(page.getByTestId('failure-row')).toHaveCount(2)
})

test('retries one selected failure, retries one with edited parameters, discards another', async ({
  page,
}) => {
  const { table, pipeline, insert } = await setUp('retry_one')
  await db.query(`INSERT INTO ${table} VALUES (5, 'old five')`)
  const results = await ingest(pipeline, [
    { sql: insert, params: [1, 'selected'] },
    { sql: insert, params: [3, 'edited'] },
    { sql: insert, params: [5, 'discarded'] },
  ])
  expect(results.every((r) => r.status === 'failed')).toBe(true)

  await page.goto(`/failures?pipeline=${pipeline}`)
  const rows = page.getByTestId('failure-row')
  await expect(rows).toHaveCount(3)

  // Retry with edited parameters from the detail page: id 3 is taken, so send it as 33.
  await page.goto(`/failures/${results[1]?.failureId ?? 'missing'}`)
  await expect(page.getByTestId('failure-detail-params')).toContainText('"edited"')
  await page.getByRole('button', { name: 'Edit parameters…' }).click()
  const editor = page.getByLabel('Parameters (JSON array, $1 first)')
  await editor.fill('[33, "edited"')
  await page.getByRole('button', { name: 'Retry with these parameters' }).click()
  await expect(editor).toHaveAccessibleDescription(/Parameters must be JSON/)
  await editor.fill('[33, "edited"]')
  await page.getByRole('button', { name: 'Retry with these parameters' }).click()
  await expect(page.getByTestId('notice')).toContainText('Retried 1 query: 1 succeeded')
  await expect(page.getByTestId('failure-status')).toHaveText('resolved')
  expect((await db.query(`SELECT label FROM ${table} WHERE id = 33`)).rows).toEqual([
    { label: 'edited' },
  ])

  // Retry selected: it fails again while the cause is there, and lands once it is fixed.
  await page.goto(`/failures?pipeline=${pipeline}`)
  await expect(rows).toHaveCount(2)
  const selected = rows.and(
    page.locator(`[data-failure-id="${results[0]?.failureId ?? 'missing'}"]`),
  )
  await selected.getByRole('checkbox').check()
  await expect(page.getByTestId('failures-count')).toHaveText('2 matching · 1 selected')
  await page.getByRole('button', { name: 'Retry selected' }).click()
  await expect(page.getByTestId('notice')).toContainText('1 failed again (23505')
  await expect(selected.getByTestId('attempts')).toHaveText('2')
  // Its detail counts both attempts, and its last failure is later than its first.
  await page.goto(`/failures/${results[0]?.failureId ?? 'missing'}`)
  await expect(page.getByTestId('failure-attempts')).toHaveText('2')
  await expect(page.getByTestId('failure-sqlstate')).toHaveText('23505')
  const failedAt = async (testId: string) =>
    Date.parse((await page.getByTestId(testId).getAttribute('datetime')) ?? '')
  expect(await failedAt('failure-last-failed')).toBeGreaterThan(
    await failedAt('failure-first-failed'),
  )
  await page.goto(`/failures?pipeline=${pipeline}`)
  await expect(rows).toHaveCount(2)
  await db.query(`DELETE FROM ${table} WHERE id = 1`)
  await selected.getByRole('checkbox').check()
  await page.getByRole('button', { name: 'Retry selected' }).click()
  await expect(page.getByTestId('notice')).toContainText('Retried 1 query: 1 succeeded')
  expect((await db.query(`SELECT label FROM ${table} WHERE id = 1`)).rows).toEqual([
    { label: 'selected' },
  ])

  // Discard (after confirming): it leaves the failing view and never runs.
  await page.goto(`/failures?pipeline=${pipeline}`)
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toContainText(insert)
  await rows.first().getByRole('checkbox').check()
  await page.getByRole('button', { name: 'Discard selected' }).click()
  await page
    .getByRole('dialog', { name: 'Discard 1 failed query?' })
    .getByRole('button', { name: 'Discard' })
    .click()
  await expect(page.getByTestId('notice')).toContainText('Discarded 1 failed query')
  await expect(page.getByText('No failing queries')).toBeVisible()
  expect((await db.query(`SELECT label FROM ${table} WHERE id = 5`)).rows).toEqual([
    { label: 'old five' },
  ])
})

test('pages through many failures and narrows them by text and time', async ({ page }) => {
  const pipeline = uniqueName('paging')
  await putPipeline(pipeline, {
    strategy: 'best_effort',
    batchSize: 50,
    flushIntervalMs: 20,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  })
  const results = await ingest(pipeline, [
    ...Array.from({ length: 28 }, (_, i) => ({ sql: 'SELECT $1::int / 0 AS boom', params: [i] })),
    { sql: `SELECT * FROM no_such_table_${pipeline}` },
    { sql: `SELECT * FROM no_such_table_${pipeline} WHERE true` },
  ])
  expect(results.filter((r) => r.status === 'failed')).toHaveLength(30)

  await page.goto(`/failures?pipeline=${pipeline}`)
  const rows = page.getByTestId('failure-row')
  await expect(page.getByTestId('failures-count')).toHaveText('30 matching')
  await expect(rows).toHaveCount(25)
  await expect(page.getByText('1–25 of 30')).toBeVisible()
  await page.getByRole('button', { name: 'Next' }).click()
  await expect(rows).toHaveCount(5)
  await expect(page.getByText('26–30 of 30')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Next' })).toBeDisabled()
  // The page is in the URL (as the cursor it starts after), and Previous goes back to the first.
  expect(new URL(page.url()).searchParams.get('after')).toMatch(/^\d+\.\d+$/)
  await page.getByRole('button', { name: 'Previous' }).click()
  await expect(rows).toHaveCount(25)
  await expect(page.getByText('1–25 of 30')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Previous' })).toBeDisabled()

  // Text searches the SQL and the error message.
  await page.getByLabel('Search SQL and errors').fill('no_such_table')
  await page.getByRole('button', { name: 'Apply filters' }).click()
  await expect(rows).toHaveCount(2)
  await page.getByLabel('Search SQL and errors').fill('division by zero')
  await page.getByRole('button', { name: 'Apply filters' }).click()
  await expect(page.getByTestId('failures-count')).toHaveText('28 matching')

  // Discard all matching: the count first, then only those 28 leave the failing view.
  await page.getByRole('button', { name: 'Discard all matching…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Discard all matching failed queries?' })
  await expect(dialog.getByTestId('discard-all-count')).toContainText(
    '28 failed queries match the filter',
  )
  await saveScreenshot(page, 'failures-discard-all')
  await dialog.getByRole('button', { name: 'Discard 28' }).click()
  await expect(page.getByTestId('notice')).toContainText('Discarded 28 failed queries')
  await expect(page.getByText('No failing queries')).toBeVisible()
  await page.getByLabel('Status').selectOption('discarded')
  await page.getByRole('button', { name: 'Apply filters' }).click()
  await expect(page.getByTestId('failures-count')).toHaveText('28 matching')
  await expect(page.getByRole('button', { name: 'Discard all matching…' })).toBeDisabled()
  await page.goto(`/failures?pipeline=${pipeline}`)
  await expect(page.getByTestId('failures-count')).toHaveText('2 matching')
  await page.getByLabel('Search SQL and errors').fill('division by zero')
  await page.getByLabel('Status').selectOption('any')
  await page.getByRole('button', { name: 'Apply filters' }).click()
  await expect(page.getByTestId('failures-count')).toHaveText('28 matching')
  // Bulk actions touch failing queries only, and the count before confirming says so.
  await page.getByRole('button', { name: 'Discard all matching…' }).click()
  await expect(dialog.getByTestId('discard-all-count')).toContainText(
    '0 failed queries match the filter',
  )
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await expect(dialog).toBeHidden()

  // A time range before the failures happened matches none of them.
  await page.getByLabel('Status').selectOption('failed')
  await page.getByLabel('Failed before').fill('2020-01-01T00:00:00')
  await page.getByRole('button', { name: 'Apply filters' }).click()
  await expect(page.getByText('No failing queries')).toBeVisible()
  await page.getByRole('button', { name: 'Clear' }).click()
  await expect(page).toHaveURL(/\/failures$/)
})
