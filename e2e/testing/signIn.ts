import { expect, type Page } from '@playwright/test'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { E2eUser } from './e2eRun'

/** Where the admin's signed-in browser state is kept for the tests that start signed in. */
export const adminStorageState = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '.auth',
  'admin.json',
)

/**
 * Signs in through the console's sign-in page, as a person would, and waits for the pipelines.
 *
 * @example
 * await signIn(page, e2eUser('operator'))
 */
export async function signIn(page: Page, user: E2eUser): Promise<void> {
  await page.goto('/sign-in')
  await page.getByLabel('User name', { exact: true }).fill(user.name)
  await page.getByLabel('Password', { exact: true }).fill(user.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Pipelines', level: 1 })).toBeVisible()
  await expect(page.getByTestId('signed-in-as')).toContainText(user.name)
}
