import { expect, test } from '@playwright/test'
import { startExtraEngine } from '../testing/extraEngine'
import { saveScreenshot } from '../testing/screenshots'

test('the Cluster page lists every engine on the database, and drops one that stops', async ({
  page,
}) => {
  const extra = await startExtraEngine(`e2e-extra-${String(Date.now() % 100_000)}`)
  try {
    await page.goto('/')
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Cluster' })
      .click()
    await expect(page.getByRole('heading', { name: 'Cluster', level: 1 })).toBeVisible()
    const members = page.getByRole('table', { name: 'Cluster members' })
    await expect(members.getByRole('row')).toHaveCount(3) // the header and two engines
    const extraRow = page.getByTestId(`member-row-${extra.id}`)
    await expect(extraRow).toContainText(extra.url)
    await expect(members.getByRole('row').filter({ hasText: 'this console’s engine' })).toHaveCount(
      1,
    )
    await saveScreenshot(page, 'cluster')

    await extra.stop()
    await expect(extraRow).toHaveCount(0)
    await expect(members.getByRole('row')).toHaveCount(2)
  } finally {
    await extra.stop()
  }
})
