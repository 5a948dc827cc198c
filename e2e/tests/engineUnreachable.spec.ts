import { expect, test } from '@playwright/test'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { E2eRun } from '../testing/e2eRun'

const here = dirname(fileURLToPath(import.meta.url))
const consoleDir = resolve(here, '../../apps/console')

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

async function stopGroup(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null) return
  const exited = once(child, 'exit')
  process.kill(-child.pid, 'SIGTERM')
  await exited
}

/*
 * A second console (the same production build) pointed at a port where no engine runs yet;
 * later a real engine starts there, on a database of its own.
 */
let consoleServer: ChildProcess | undefined
let engineServer: ChildProcess | undefined
let consoleUrl = ''
let lateEngine: E2eRun

test.beforeAll(async () => {
  const [consolePort, enginePort] = [await freePort(), await freePort()]
  const databaseName = `sluice_e2e_late_${randomBytes(4).toString('hex')}`
  lateEngine = {
    databaseName,
    databaseFile: join(tmpdir(), `${databaseName}.json`),
    enginePort,
    consolePort,
    engineUrl: `http://127.0.0.1:${enginePort}`,
    consoleUrl: `http://127.0.0.1:${consolePort}`,
    apiToken: randomBytes(24).toString('hex'),
    jaegerUiUrl: 'http://jaeger.e2e.invalid:16686',
    // No users, no OpenID Connect, loopback: sign-in is off, as with `npm start`.
    users: {},
  }
  consoleUrl = lateEngine.consoleUrl
  consoleServer = spawn(
    'npx',
    ['next', 'start', '--hostname', '127.0.0.1', '--port', String(consolePort)],
    {
      cwd: consoleDir,
      env: {
        ...process.env,
        SLUICE_ENGINE_URL: lateEngine.engineUrl,
        SLUICE_API_TOKEN: lateEngine.apiToken,
        NEXT_TELEMETRY_DISABLED: '1',
      },
      stdio: 'ignore',
      detached: true,
    },
  )
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

test.afterAll(async () => {
  await stopGroup(engineServer)
  await stopGroup(consoleServer)
})

test('says so plainly while the engine cannot be reached, and recovers by itself when it is back', async ({
  page,
}) => {
  test.setTimeout(90_000)
  await page.goto(consoleUrl)
  const banner = page.getByTestId('engine-unreachable')
  await expect(banner).toBeVisible()
  await expect(banner).toContainText('Cannot reach the Sluice engine')
  await expect(banner).toContainText(`The Sluice engine at ${lateEngine.engineUrl} is unreachable`)
  await banner.getByRole('button', { name: 'Retry now' }).click()
  await expect(banner).toBeVisible()
  // The page does not spin forever: it says what failed.
  await expect(page.getByText('Loading pipelines…')).toHaveCount(0)
  await expect(page.getByRole('alert').filter({ hasText: 'unreachable' }).first()).toBeVisible()

  // The engine comes up: the banner goes and the page loads without a reload.
  engineServer = spawn(process.execPath, ['--import', 'tsx', 'testing/engineServer.ts'], {
    cwd: resolve(here, '..'),
    env: { ...process.env, SLUICE_E2E_RUN: JSON.stringify(lateEngine) },
    stdio: 'ignore',
    detached: true,
  })
  await expect(banner).toHaveCount(0, { timeout: 60_000 })
  await expect(page.getByText('No pipelines yet')).toBeVisible()
  // With no users on a loopback engine, sign-in is off, and the page says so.
  await expect(page.getByTestId('sign-in-off')).toContainText('Sign-in is off')
})
