import { expect, test } from '@playwright/test'
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const consoleDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../apps/console')

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => {
        done(port)
      })
    })
  })
}

let consoleServer: ChildProcess | undefined
let consoleUrl = ''

// A second console (the same production build) whose engine is not running.
test.beforeAll(async () => {
  const [port, deadEnginePort] = [await freePort(), await freePort()]
  consoleUrl = `http://127.0.0.1:${port}`
  consoleServer = spawn('npx', ['next', 'start', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: consoleDir,
    env: { ...process.env, SLUICE_ENGINE_URL: `http://127.0.0.1:${deadEnginePort}`, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: 'ignore',
    detached: true,
  })
  await expect
    .poll(
      async () => {
        try {
          return (await fetch(consoleUrl)).status
        } catch {
          return 0
        }
      },
      { timeout: 30_000 },
    )
    .toBe(200)
})

test.afterAll(() => {
  if (consoleServer?.pid) process.kill(-consoleServer.pid, 'SIGTERM')
})

test('says so plainly when the engine cannot be reached, and offers to retry', async ({ page }) => {
  await page.goto(consoleUrl)
  const banner = page.getByTestId('engine-unreachable')
  await expect(banner).toBeVisible()
  await expect(banner).toContainText('Cannot reach the Sluice engine')
  await expect(banner).toContainText(/127\.0\.0\.1:\d+ is unreachable/)
  await expect(page.getByRole('alert').filter({ hasText: 'unreachable' }).first()).toBeVisible()
  await banner.getByRole('button', { name: 'Retry now' }).click()
  await expect(banner).toBeVisible()
  // The page itself does not spin forever: it says what failed.
  await expect(page.getByText('Loading pipelines…')).toHaveCount(0)
})
