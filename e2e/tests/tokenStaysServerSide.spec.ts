import { expect, test } from '@playwright/test'
import { e2eRun } from '../testing/e2eRun'

test('the browser talks only to the console and never sees the engine’s token', async ({
  page,
}) => {
  const { engineUrl, apiToken } = e2eRun()
  const requested: string[] = []
  const leaks: string[] = []
  page.on('request', (request) => {
    requested.push(request.url())
    if (JSON.stringify(request.headers()).includes(apiToken) || request.url().includes(apiToken))
      leaks.push(request.url())
  })
  page.on('response', async (response) => {
    const type = response.headers()['content-type'] ?? ''
    if (type.includes('event-stream')) return
    const body = await response.text().catch(() => '')
    if (body.includes(apiToken)) leaks.push(response.url())
  })

  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'Pipelines', level: 1 })).toBeVisible()
  await expect(page.getByTestId('engine-unreachable')).toHaveCount(0)
  await page.goto('/failures')
  await expect(page.getByRole('heading', { name: 'Failed queries', level: 1 })).toBeVisible()

  expect(requested.some((url) => url.includes('/api/trpc/'))).toBe(true)
  expect(requested.filter((url) => url.startsWith(engineUrl))).toEqual([])
  expect(leaks).toEqual([])
  expect(await page.content()).not.toContain(apiToken)
})

test('the console’s proxy acts only for its own pages and only on procedure paths', async ({
  request,
}) => {
  const crossSite = await request.get('/api/trpc/health.get', {
    headers: { 'sec-fetch-site': 'cross-site' },
  })
  expect(crossSite.status()).toBe(403)
  const outside = await request.get('/api/trpc/health.get%2F..%2F..%2Fhealthz')
  expect(outside.status()).toBe(400)
  const sameOrigin = await request.get('/api/trpc/health.get', {
    headers: { 'sec-fetch-site': 'same-origin' },
  })
  expect(sameOrigin.status()).toBe(200)
  expect(
    ((await sameOrigin.json()) as { result: { data: { status: string } } }).result.data.status,
  ).toBe('ok')
})
