import { expect, test } from '@playwright/test'
import { e2eUser } from '../testing/e2eRun'
import { saveScreenshot } from '../testing/screenshots'
import { signIn } from '../testing/signIn'

// Each test starts signed out.
test.use({ storageState: { cookies: [], origins: [] } })

test('a console with users sends the browser to sign in; the session is an HttpOnly cookie, new at each sign-in', async ({
  page,
  context,
}) => {
  await page.goto('/failures')
  await expect(page).toHaveURL(/\/sign-in$/)
  await expect(page.getByRole('heading', { name: 'Sign in to Sluice' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Sign in with the test provider' })).toBeVisible()
  await saveScreenshot(page, 'sign-in')

  // A session id planted before sign-in (session fixation) never becomes a signed-in one.
  await context.addCookies([
    { name: 'sluice_session', value: 'planted-by-someone', url: page.url() },
  ])
  const viewer = e2eUser('viewer')
  await signIn(page, viewer)
  const sessionCookie = async () =>
    (await context.cookies()).find((cookie) => cookie.name === 'sluice_session')
  const first = await sessionCookie()
  expect(first).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
  expect(first?.value).not.toBe('planted-by-someone')
  expect(first?.expires).toBeGreaterThan(Date.now() / 1000 + 3600)
  // Page scripts cannot read it.
  expect(await page.evaluate(() => document.cookie)).not.toContain('sluice_session')

  // Signing in again (the form's own post) gives a new id and ends the one before.
  const again = await page.request.post('/auth/sign-in', {
    form: { user: viewer.name, password: viewer.password },
    maxRedirects: 0,
  })
  expect(again.status()).toBe(303)
  const second = await sessionCookie()
  expect(second?.value).not.toBe(first?.value)
  await context.addCookies([{ name: 'sluice_session', value: first?.value ?? '', url: page.url() }])
  await page.goto('/')
  await expect(page).toHaveURL(/\/sign-in$/)

  await signIn(page, viewer)
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page.getByText('You are signed out.')).toBeVisible()
  await page.goto('/')
  await expect(page).toHaveURL(/\/sign-in$/)
})

test('a wrong password is refused, and after five the user is locked out for a while, right password or not', async ({
  page,
}) => {
  const user = e2eUser('limited')
  const attempt = async (password: string) => {
    await page.goto('/sign-in')
    await page.getByLabel('User name', { exact: true }).fill(user.name)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    return page.getByTestId('sign-in-error')
  }
  for (let tries = 1; tries <= 5; tries += 1) {
    await expect(await attempt(`wrong-password-${tries}`)).toHaveText('wrong user name or password')
  }
  const locked = await attempt(user.password)
  await expect(locked).toHaveText(
    /too many failed sign-ins for this user: try again in 1[45] minutes/,
  )
  await saveScreenshot(page, 'sign-in-rate-limited')
  await page.goto('/')
  await expect(page).toHaveURL(/\/sign-in$/)
})

test('signs in with OpenID Connect at a real provider, with the role its claim gives; an account without one is refused', async ({
  page,
  browser,
}) => {
  const throughProvider = async (login: string) => {
    await page.goto('/sign-in')
    await page.getByRole('button', { name: 'Sign in with the test provider' }).click()
    // The provider's own pages (oidc-provider's development login and consent).
    await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/interaction\//)
    await page.locator('input[name="login"]').fill(login)
    await page.locator('input[name="password"]').fill('any password')
    await page.getByRole('button', { name: 'Sign-in' }).click()
    await page.getByRole('button', { name: 'Continue' }).click()
  }
  await throughProvider('olivia')
  await expect(page.getByRole('heading', { name: 'Pipelines', level: 1 })).toBeVisible()
  await expect(page.getByTestId('signed-in-as')).toContainText('olivia')
  await saveScreenshot(page, 'signed-in-oidc')
  await expect(page.getByTestId('signed-in-as')).toContainText('operator')
  // Operator: no admin pages in the navigation.
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }),
  ).toHaveCount(0)
  await page.getByRole('button', { name: 'Sign out' }).click()

  // Another browser (the provider remembers olivia in this one).
  const other = await browser.newContext({ storageState: { cookies: [], origins: [] } })
  page = await other.newPage()
  await throughProvider('nora')
  await expect(page.getByTestId('sign-in-error')).toContainText(
    'nora has no Sluice role: the provider\'s "sluice_roles" claim must name viewer, operator or admin',
  )
  await other.close()
})
