import { execFileSync, spawnSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { cloneTree } from './testing/cloneTree'
import { freePort } from '@sluice/test-database'
import { npmStart, timedGet } from './testing/npmStart'

/*
 * A newcomer's first minute: clone into a folder only they may enter (mktemp -d is 0700, as is
 * /root), type `npm start`, open the console. As root the embedded PostgreSQL runs as the
 * `postgres` user, which cannot enter that folder: it must still start. And as an ordinary
 * user. Each run checks the console answers (first page views timed and printed), the demo
 * pipeline runs, and one Ctrl-C stops it all cleanly.
 */

const repo = fileURLToPath(new URL('../..', import.meta.url))
const asRoot = process.getuid?.() === 0
const ordinaryUser = 'sluice-clone'
const folders: string[] = []
let rootClone: string | undefined

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true })
})

function privateFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix))
  folders.push(folder)
  expect(spawnSync('stat', ['-c', '%a', folder], { encoding: 'utf8' }).stdout.trim()).toBe('700')
  return folder
}

/** The ordinary user the second variant runs as (created when missing: we are root). */
function ensureOrdinaryUser(): { uid: number; gid: number } {
  const id = (flag: string) => spawnSync('id', [flag, ordinaryUser], { encoding: 'utf8' })
  if (id('-u').status !== 0) {
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      ordinaryUser,
    ])
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) }
}

/** Runs `npm start` in `clone` and checks what a newcomer would; ends with one Ctrl-C. */
async function startAndCheck(
  label: string,
  clone: string,
  options: { env?: Record<string, string>; user?: { uid: number; gid: number; home: string } },
): Promise<string> {
  const closedPort = await freePort()
  const started = performance.now()
  const run = await npmStart({
    cwd: clone,
    ...(options.user ? { user: options.user } : {}),
    env: {
      // Nothing listens there: the engine must say so once, not once a minute.
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${String(closedPort)}`,
      ...options.env,
    },
  })
  await run.printed('sluice: ready', 150_000)
  const readyAfter = Math.round(performance.now() - started)

  const overview = await timedGet(`${run.consoleUrl}/`)
  const pipeline = await timedGet(`${run.consoleUrl}/pipelines/demo`)
  const failures = await timedGet(`${run.consoleUrl}/failures`)
  console.log(
    `${label}: ready after ${String(readyAfter)} ms; first page views: / ${String(overview.ms)} ms, ` +
      `/pipelines/demo ${String(pipeline.ms)} ms, /failures ${String(failures.ms)} ms`,
  )
  expect([overview.status, pipeline.status, failures.status]).toEqual([200, 200, 200])
  const page = await (await fetch(`${run.consoleUrl}/`)).text()
  expect(page, 'the overview lists the demo pipeline').toContain('demo')

  const demoQueries = async () => {
    const view = (await (await fetch(`${run.engineUrl}/v1/pipelines/demo`)).json()) as {
      status: { totalQueries: number }
    }
    return view.status.totalQueries
  }
  const before = await demoQueries()
  await new Promise((resolve) => setTimeout(resolve, 1_500))
  expect(await demoQueries(), 'the demo pipeline runs').toBeGreaterThan(before)

  run.signalGroup('SIGINT')
  const exit = await run.exited
  const output = run.output()
  expect(exit, output.slice(-3000)).toBe('exit 0')
  expect(output).toContain('embedded PostgreSQL stopped')
  expect(output.match(/cannot export traces to/g), 'no collector: said once').toHaveLength(1)
  expect(output).not.toMatch(/EACCES|Unhandled 'error' event/)
  return output
}

describe('npm start from a fresh clone in a private folder', () => {
  if (!asRoot) console.log('not root: the root variant is skipped (it needs root to run as root)')

  it.runIf(asRoot)('as root: the embedded PostgreSQL (run as postgres) still starts', async () => {
    const clone = join(privateFolder('sluice-clone-root-'), 'sluice')
    cloneTree(repo, clone)
    // Its own data folder (root's default, /var/tmp/sluice/data, may be in use on this machine).
    const dataParent = mkdtempSync(join(tmpdir(), 'sluice-clone-data-'))
    folders.push(dataParent)
    chmodSync(dataParent, 0o755)
    await startAndCheck('root', clone, { env: { SLUICE_DATA_DIR: join(dataParent, 'data') } })
    // The postgres user could not reach the binaries in the clone: they ran from a copy.
    expect(readdirSync(dataParent).filter((name) => name.startsWith('postgres-'))).toHaveLength(1)
    rootClone = clone
  })

  it('as an ordinary user', async () => {
    if (!asRoot) console.log('not root: the ordinary-user variant runs as this user')
    const user = asRoot ? ensureOrdinaryUser() : undefined
    const parent = privateFolder('sluice-clone-user-')
    if (user) chownSync(parent, user.uid, user.gid)
    const clone = join(parent, 'sluice')
    cloneTree(repo, clone, user)
    const home = join(parent, 'home')
    mkdirSync(home)
    if (user) chownSync(home, user.uid, user.gid)
    // The console build the root variant made (same sources): building again proves nothing new.
    const built = rootClone && join(rootClone, 'apps', 'console', '.next')
    const reused = built !== undefined && existsSync(built)
    if (reused) {
      execFileSync('cp', ['-a', built, join(clone, 'apps', 'console', '.next')])
      if (user)
        execFileSync('chown', [
          '-R',
          `${String(user.uid)}:${String(user.gid)}`,
          join(clone, 'apps', 'console', '.next'),
        ])
    }
    const output = await startAndCheck(asRoot ? ordinaryUser : 'this user', clone, {
      ...(user ? { user: { ...user, home } } : {}),
    })
    if (reused) expect(output, 'the copied build is current').not.toContain('building the console')
    expect(existsSync(join(clone, 'apps', 'engine', '.sluice-data', 'pg', 'PG_VERSION'))).toBe(true)
  })
})
