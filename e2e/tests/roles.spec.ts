import { expect, test, type Browser, type Page } from '@playwright/test'
import { callFromPage } from '../testing/consoleCall'
import { e2eUser, type E2eUserKey } from '../testing/e2eRun'
import { getPipeline, ingest, putPipeline, trpcQuery, uniqueName } from '../testing/engineApi'
import { saveScreenshot } from '../testing/screenshots'
import { signIn } from '../testing/signIn'

/*
 * Each role signed in, in a browser of its own: the page shows exactly what the role may do,
 * and the engine refuses the rest even when the page is bypassed. At the end the admin reads
 * what the others did in the audit log.
 */

let pipeline: string
let failureIds: string[]

test.beforeAll(async () => {
  pipeline = uniqueName('roles')
  await putPipeline(pipeline, { retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } })
  const results = await ingest(pipeline, [
    { sql: 'SELECT 1 / $1::int AS n', params: [0] },
    { sql: 'SELECT 1 / $1::int AS n', params: [0] },
  ])
  failureIds = results.map((result) => result.failureId ?? 'missing')
})

async function signedIn(browser: Browser, who: E2eUserKey): Promise<Page> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } })
  const page = await context.newPage()
  await signIn(page, e2eUser(who))
  return page
}

test('a viewer reads everything but parameters, sees no actions, and the engine refuses its retry', async ({
  browser,
}) => {
  const page = await signedIn(browser, 'viewer')
  const row = page.getByTestId(`pipeline-row-${pipeline}`)
  await expect(row).toBeVisible()
  await expect(row.getByRole('button')).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'New pipeline' })).toHaveCount(0)
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }),
  ).toHaveCount(0)

  await page.goto(`/failures?pipeline=${pipeline}`)
  await expect(page.getByTestId('failure-row')).toHaveCount(2)
  await expect(page.getByRole('checkbox')).toHaveCount(0)
  await expect(page.getByRole('button', { name: /Retry|Discard/ })).toHaveCount(0)
  await expect(page.getByLabel('Parameters contain')).toHaveCount(0)
  await page.goto(`/failures/${failureIds[0] ?? ''}`)
  await expect(page.getByTestId('failure-detail-params')).toHaveText(
    '(hidden: your role does not see SQL parameters)',
  )
  await expect(page.getByRole('button', { name: 'Retry' })).toHaveCount(0)
  await saveScreenshot(page, 'role-viewer-failure')

  // Past the page: the engine itself refuses, naming the role it takes.
  const retry = await callFromPage(page, 'failures.retry', { ids: [failureIds[0]] })
  expect(retry.status).toBe(403)
  expect(retry.body.error?.data).toMatchObject({ code: 'FORBIDDEN', requiredRole: 'operator' })
  expect(retry.body.error?.message).toBe(
    'failures.retry needs the operator role; user e2e-viewer has viewer',
  )
  const pause = await callFromPage(page, 'pipelines.pause', { name: pipeline })
  expect(pause.status).toBe(403)
  const params = await callFromPage(page, 'failures.list', { params: '0' }, 'query')
  expect(params.body.error?.data?.requiredRole).toBe('operator')
  const failure = await trpcQuery<{ status: string; attempts: number }>('failures.get', {
    id: failureIds[0],
  })
  expect(failure).toMatchObject({ status: 'failed', attempts: 1 })
  await page.context().close()
})

test('an operator pauses, resumes and retries with edited parameters, but cannot edit or delete', async ({
  browser,
}) => {
  const page = await signedIn(browser, 'operator')
  const row = page.getByTestId(`pipeline-row-${pipeline}`)
  await expect(row.getByRole('button', { name: 'Delete' })).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'New pipeline' })).toHaveCount(0)
  await row.getByRole('button', { name: 'Pause' }).click()
  await expect(row.getByTestId('pipeline-state')).toHaveText('Paused')
  await row.getByRole('button', { name: 'Resume' }).click()
  await expect(row.getByTestId('pipeline-state')).toHaveText('Running')

  await page.goto(`/failures/${failureIds[0] ?? ''}`)
  await expect(page.getByTestId('failure-detail-params')).toContainText('0')
  await page.getByRole('button', { name: 'Edit parameters…' }).click()
  await page.getByLabel('Parameters (JSON array, $1 first)').fill('[1]')
  await page.getByRole('button', { name: 'Retry with these parameters' }).click()
  await expect(page.getByTestId('notice')).toContainText('Retried 1 query: 1 succeeded')

  await page.goto(`/pipelines/${pipeline}`)
  await expect(page.getByTestId('config-editor')).toContainText('only admins can change it')
  await expect(
    page.getByTestId('config-editor').getByRole('button', { name: 'Apply changes' }),
  ).toHaveCount(0)
  const update = await callFromPage(page, 'pipelines.update', {
    name: pipeline,
    config: { batchSize: 5 },
  })
  expect(update.body.error?.data).toMatchObject({ code: 'FORBIDDEN', requiredRole: 'admin' })
  expect((await getPipeline(pipeline)).config.batchSize).toBe(100)
  await page.goto('/audit')
  await expect(page.getByRole('alert').first()).toContainText('needs the admin role')
  await page.context().close()
})

test('an admin has the admin actions and finds every action of the others in the audit log, by the right user', async ({
  browser,
}) => {
  const page = await signedIn(browser, 'admin')
  await expect(page.getByRole('button', { name: 'New pipeline' })).toBeVisible()
  await expect(
    page.getByTestId(`pipeline-row-${pipeline}`).getByRole('button', { name: 'Delete' }),
  ).toBeVisible()
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click()
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible()

  await page.getByLabel('Who (user or token)').fill('e2e-operator')
  await page.getByRole('button', { name: 'Apply filters' }).click()
  await expect(page).toHaveURL(/actor=e2e-operator/)
  const rows = page.getByTestId('audit-row')
  const actions = await rows.getByTestId('audit-action').allTextContents()
  expect(actions.slice(0, 5)).toEqual([
    'access.denied',
    'failures.retry',
    'pipeline.resume',
    'pipeline.pause',
    'auth.signIn',
  ])
  const retry = rows.filter({ hasText: 'failures.retry' }).first()
  await expect(retry.getByTestId('audit-target')).toHaveText(failureIds[0] ?? '')
  await expect(retry).toContainText('1 id, 1 matched: 1 resolved')
  await expect(retry).toContainText('params [0] → [1]')
  await expect(rows.filter({ hasText: 'pipeline.pause' }).getByTestId('audit-actor')).toContainText(
    'operator',
  )
  await expect(rows.filter({ hasText: 'access.denied' }).first()).toContainText(
    'needs the admin role',
  )

  await page.getByLabel('Who (user or token)').fill('e2e-viewer')
  await page.getByLabel('Action').selectOption('access.denied')
  await page.getByRole('button', { name: 'Apply filters' }).click()
  await expect(page.getByTestId('audit-target')).toHaveText(['pipelines.pause', 'failures.retry'])
  await saveScreenshot(page, 'audit')

  // Users: add one, change the role, remove it; each is in the log as the admin's.
  const newcomer = uniqueName('newcomer')
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click()
  await page.getByLabel('User name').fill(newcomer)
  await page.getByLabel('Role', { exact: true }).selectOption('viewer')
  await page.getByLabel('Password').fill('short')
  await page.getByRole('button', { name: 'Add user' }).click()
  await expect(page.getByText('password must be at least 10 characters')).toBeVisible()
  await page.getByLabel('Password').fill('long-enough-password')
  await page.getByRole('button', { name: 'Add user' }).click()
  const user = page.getByTestId(`user-row-${newcomer}`)
  await expect(user).toBeVisible()
  await user.getByLabel(`Role of ${newcomer}`).selectOption('operator')
  await expect(page.getByTestId('notice')).toContainText(`Changed the role of ${newcomer}`)
  await user.getByRole('button', { name: 'Remove' }).click()
  await page
    .getByRole('dialog', { name: `Remove ${newcomer}?` })
    .getByRole('button', { name: 'Remove' })
    .click()
  await expect(user).toHaveCount(0)
  await page.goto(`/audit?target=${newcomer}`)
  await expect(page.getByTestId('audit-action')).toHaveText([
    'user.remove',
    'user.setRole',
    'user.add',
  ])
  await expect(page.getByTestId('audit-actor').first()).toContainText('e2e-admin')
  await expect(page.getByTestId('audit-row').nth(1)).toContainText('"viewer" → "operator"')
  await page.context().close()
})
