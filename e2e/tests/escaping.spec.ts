import { expect, test } from '@playwright/test'
import { ingest, putPipeline, uniqueName } from '../testing/engineApi'

test('SQL and parameters holding markup show as text, never as HTML', async ({ page }) => {
  const pipeline = uniqueName('escaping')
  await putPipeline(pipeline, {
    strategy: 'best_effort',
    batchSize: 5,
    flushIntervalMs: 20,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  })
  const sql = `SELECT '<script>window.__sluiceXss = 1</script><b>bold</b>' AS payload FROM missing_table_${pipeline}`
  const params = ['<img src=x onerror="window.__sluiceXss = 2">']
  const [result] = await ingest(pipeline, [{ sql: `${sql} WHERE $1::text IS NOT NULL`, params }])
  expect(result?.error?.code).toBe('42P01')

  const dialogs: string[] = []
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  await page.goto(`/failures?pipeline=${pipeline}`)
  const row = page.getByTestId('failure-row')
  await expect(row).toHaveCount(1)
  const cell = row.getByTestId('failure-sql')
  await expect(cell).toHaveText(`${sql} WHERE $1::text IS NOT NULL`)
  await expect(cell.locator('script, b, img')).toHaveCount(0)

  await row.getByRole('link').click()
  await expect(page).toHaveURL(/\/failures\/\d+$/)
  await expect(page.getByTestId('failure-detail-sql')).toHaveText(
    `${sql} WHERE $1::text IS NOT NULL`,
  )
  await expect(page.getByTestId('failure-detail-params')).toContainText(
    '<img src=x onerror=\\"window.__sluiceXss = 2\\">',
  )
  await expect(page.locator('main script, main b, main img')).toHaveCount(0)
  expect(
    await page.evaluate(() => (window as unknown as { __sluiceXss?: number }).__sluiceXss),
  ).toBeUndefined()
  expect(dialogs).toEqual([])
})
