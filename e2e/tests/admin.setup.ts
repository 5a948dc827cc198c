import { test as setup } from '@playwright/test'
import { e2eUser } from '../testing/e2eRun'
import { adminStorageState, signIn } from '../testing/signIn'

setup('sign in as the run’s admin', async ({ page }) => {
  await signIn(page, e2eUser('admin'))
  await page.context().storageState({ path: adminStorageState })
})
