import { expect, test } from '@playwright/test'
import { ingest, putPipeline, uniqueName } from '../testing/engineApi'
import { saveScreenshot } from '../testing/screenshots'

let pipeline: string
let failureId: string

test.beforeAll(async () => {
  pipeline = uniqueName('comfort')
  await putPipeline(pipeline, { retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } })
  const results = await ingest(
    pipeline,
    [0, 1, 2].map((n) => ({ sql: 'SELECT 1 / $1::int - $2::int AS n', params: [0, n] })),
  )
  failureId = results[0]?.failureId ?? 'missing'
})

test('follows the system’s dark setting', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.goto('/failures')
  await expect(page.getByRole('heading', { name: 'Failed queries', level: 1 })).toBeVisible()
  const colours = () =>
    page.evaluate(() => {
      const body = getComputedStyle(document.body)
      const panel = getComputedStyle(document.querySelector('.panel') ?? document.body)
      return { background: body.backgroundColor, text: body.color, panel: panel.backgroundColor }
    })
  expect(await colours()).toEqual({
    background: 'rgb(13, 17, 23)',
    text: 'rgb(230, 237, 243)',
    panel: 'rgb(22, 27, 34)',
  })
  await saveScreenshot(page, 'failures-dark')
  await page.emulateMedia({ colorScheme: 'light' })
  expect((await colours()).background).toBe('rgb(246, 247, 249)')
})

test('keys: / focuses the search, j and k move through the table, Enter opens the row, ? lists the keys', async ({
  page,
}) => {
  await page.goto(`/failures?pipeline=${pipeline}`)
  const rows = page.getByTestId('failure-row')
  await expect(rows).toHaveCount(3)
  const firstId = await rows.nth(0).getAttribute('data-failure-id')
  await page.keyboard.press('/')
  await expect(page.getByLabel('Search SQL and errors')).toBeFocused()
  await page.keyboard.type('nothing here')
  await page.keyboard.press('Escape')
  await expect(page.getByLabel('Search SQL and errors')).not.toBeFocused()

  await page.keyboard.press('j')
  await expect(rows.nth(0)).toHaveClass(/row-current/)
  await page.keyboard.press('j')
  await page.keyboard.press('j')
  await expect(rows.nth(2)).toHaveClass(/row-current/)
  await page.keyboard.press('k')
  await expect(rows.nth(1)).toHaveClass(/row-current/)
  await expect(rows.nth(2)).not.toHaveClass(/row-current/)
  await page.keyboard.press('x')
  await expect(rows.nth(1).getByRole('checkbox')).toBeChecked()
  await expect(page.getByTestId('failures-count')).toContainText('1 selected')

  await page.keyboard.press('?')
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
  await expect(help).toBeVisible()
  await expect(help.getByTestId('keyboard-shortcuts')).toContainText('Focus the search')
  await saveScreenshot(page, 'keyboard-shortcuts')
  await page.keyboard.press('Escape')
  await expect(help).toBeHidden()

  await page.keyboard.press('k')
  await expect(rows.nth(0)).toHaveClass(/row-current/)
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(new RegExp(`/failures/${firstId ?? 'missing'}$`))
})

for (const width of [1280, 390]) {
  test(`every page is usable ${width} px wide: nothing runs off the side`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 })
    const pages = [
      ['/', 'Pipelines'],
      [`/pipelines/${pipeline}`, pipeline],
      [`/failures?pipeline=${pipeline}`, 'Failed queries'],
      [`/failures/${failureId}`, `Failed query ${failureId}`],
      ['/audit', 'Audit log'],
      ['/users', 'Users'],
    ] as const
    for (const [path, heading] of pages) {
      await page.goto(path)
      await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible()
      await expect
        .poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), {
          message: `${path} runs off the side at ${width} px`,
        })
        .toBeLessThanOrEqual(0)
      // What one acts with stays on screen.
      for (const button of await page.getByRole('button').all()) {
        if (!(await button.isVisible())) continue
        const box = await button.boundingBox()
        const inScroller = await button.evaluate(
          (element) => element.closest('.table-wrap') !== null,
        )
        if (box && !inScroller)
          expect(box.x + box.width, `${path}: a button at ${width} px`).toBeLessThanOrEqual(width)
      }
    }
    await page.goto(`/failures?pipeline=${pipeline}`)
    await saveScreenshot(page, `failures-${width}`)
    await page.goto(`/pipelines/${pipeline}`)
    await saveScreenshot(page, `pipeline-${width}`)
  })
}
