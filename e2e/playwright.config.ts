import { defineConfig } from '@playwright/test'
import { adminStorageState } from './testing/signIn'
import { e2eRun } from './testing/e2eRun'

const run = e2eRun()
const skipBuild = process.env.E2E_SKIP_BUILD === '1'

/*
 * A small OpenID Connect provider, a real engine on its own fresh database (with a local user per
 * role, made by the users command) and the console's production build, driven by
 * Debian's chromium (never a downloaded browser). One worker: the machine has two cores and
 * the engine, the console and the browser already share them.
 */
export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list']],
  use: {
    baseURL: run.consoleUrl,
    viewport: { width: 1400, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    // Signs in as the run's admin once; the other tests start from that session.
    { name: 'sign-in', testMatch: /.*\.setup\.ts/ },
    {
      name: 'chromium',
      dependencies: ['sign-in'],
      use: { storageState: adminStorageState },
    },
  ],
  webServer: [
    {
      name: 'oidc',
      command: 'node --import tsx testing/oidcProvider.ts',
      url: `${run.oidc?.issuer ?? ''}/.well-known/openid-configuration`,
      timeout: 30_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    },
    {
      name: 'engine',
      command: 'node --import tsx testing/engineServer.ts',
      url: `${run.engineUrl}/healthz`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    },
    {
      name: 'console',
      // The build `npm start` makes too, made again only when the console's sources changed.
      command: `${skipBuild ? '' : 'node ../../scripts/consoleBuild.mjs && '}npx next start --hostname 127.0.0.1 --port ${run.consolePort}`,
      cwd: '../apps/console',
      url: run.consoleUrl,
      timeout: 240_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        SLUICE_ENGINE_URL: run.engineUrl,
        SLUICE_API_TOKEN: run.apiToken,
        NEXT_TELEMETRY_DISABLED: '1',
      },
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    },
  ],
})
