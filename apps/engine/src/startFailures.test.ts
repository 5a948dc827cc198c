import { spawn } from 'node:child_process'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/*
 * `npm start` when something is wrong: the engine process must end with one line on stderr that
 * names the cause and the fix, never a stack trace or an unhandled 'error' event.
 */

const engineDir = fileURLToPath(new URL('..', import.meta.url))
const folders: string[] = []
let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase('start_failures')
})
afterAll(async () => {
  await db.drop()
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })))
})

async function runEngine(
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: engineDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      OTEL_SDK_DISABLED: 'true',
      SLUICE_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { code, stderr }
}

function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '')
  expect(lines, stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^sluice engine failed to start: /)
  expect(lines[0]).toMatch(pattern)
}

async function folder(prefix: string, mode = 0o755): Promise<string> {
  const made = await mkdtemp(join(tmpdir(), prefix))
  await chmod(made, mode)
  folders.push(made)
  return made
}

describe('the engine cannot start', () => {
  it('says its port is taken and how to pick another', async () => {
    const squatter = createServer()
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve))
    const { port } = squatter.address() as AddressInfo
    try {
      const { code, stderr } = await runEngine({ DATABASE_URL: db.url, SLUICE_PORT: String(port) })
      expect(code).toBe(1)
      expectOneLine(stderr, new RegExp(`127.0.0.1:${String(port)} is already in use.*SLUICE_PORT`))
    } finally {
      await new Promise((resolve) => squatter.close(resolve))
    }
  })

  it('says its data folder was made by another PostgreSQL and what to do', async () => {
    const dataDir = await folder('sluice-engine-oldpg-')
    await mkdir(join(dataDir, 'pg'))
    await writeFile(join(dataDir, 'pg', 'PG_VERSION'), '9\n')
    await writeFile(join(dataDir, 'pg-password'), 'x\n', { mode: 0o600 })
    const { code, stderr } = await runEngine({ SLUICE_DATA_DIR: dataDir, SLUICE_PORT: '0' })
    expect(code).toBe(1)
    expectOneLine(
      stderr,
      /was made by PostgreSQL 9 but these binaries are PostgreSQL \d+: .*pg_upgrade/,
    )
  })

  it.runIf(process.getuid?.() === 0)(
    'names the private folder the postgres user cannot enter, and the setting to change',
    async () => {
      const privateDir = await folder('sluice-engine-private-', 0o700)
      const { code, stderr } = await runEngine({
        SLUICE_DATA_DIR: join(privateDir, 'data'),
        SLUICE_PORT: '0',
      })
      expect(code).toBe(1)
      expectOneLine(
        stderr,
        new RegExp(`cannot enter ${privateDir} \\(mode 0700\\).*set SLUICE_DATA_DIR to a folder`),
      )
    },
  )
})
