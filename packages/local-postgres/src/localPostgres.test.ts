import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { LocalPostgres } from './localPostgres'
import { LocalPostgresError } from './localPostgresError'

const asRoot = process.getuid?.() === 0
const folders: string[] = []
const running: { postgres: LocalPostgres; clusterDir: string }[] = []

afterAll(async () => {
  for (const { postgres, clusterDir } of running) await postgres.stop(clusterDir, 'immediate')
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })))
})

/** A folder everyone may enter (mkdtemp makes them 0700). */
async function openFolder(prefix: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), prefix))
  await chmod(folder, 0o755)
  folders.push(folder)
  return folder
}

/** The LocalPostgresError `work` fails with (the test fails if it succeeds or throws another). */
async function failureOf(work: Promise<unknown>): Promise<LocalPostgresError> {
  const error: unknown = await work.then(
    () => new Error('expected a LocalPostgresError, but it succeeded'),
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(LocalPostgresError)
  return error as LocalPostgresError
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function installedNativeDir(): Promise<{ nativeDir: string; version: string }> {
  const probe = await LocalPostgres.prepare({ copyParent: await openFolder('sluice-lp-probe-') })
  // Run in place (not a copy): bin/ sits in the installed package's native folder.
  const nativeDir = dirname(probe.binDir)
  return { nativeDir, version: probe.packageVersion }
}

async function startedServer(postgres: LocalPostgres, parent: string): Promise<string> {
  const clusterDir = join(parent, 'pg')
  await postgres.init(clusterDir, { password: 'pw-test' })
  await postgres.start(clusterDir, { port: await freePort(), settings: { fsync: 'off' } })
  running.push({ postgres, clusterDir })
  return clusterDir
}

async function portOf(clusterDir: string): Promise<number> {
  const pid = await readFile(join(clusterDir, 'postmaster.pid'), 'utf8')
  return Number(pid.split('\n')[3])
}

async function answers(port: number): Promise<string> {
  const client = new pg.Client({
    connectionString: `postgres://postgres:pw-test@127.0.0.1:${String(port)}/postgres`,
  })
  await client.connect()
  try {
    const { rows } = await client.query<{ encoding: string }>(
      'SELECT pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = current_database()',
    )
    return rows[0]?.encoding ?? ''
  } finally {
    await client.end()
  }
}

describe('LocalPostgres', () => {
  it('initialises, starts on 127.0.0.1 with a password, and stops', async () => {
    const postgres = await LocalPostgres.prepare({ copyParent: await openFolder('sluice-lp-') })
    expect(postgres.majorVersion).toBeGreaterThanOrEqual(16)
    expect(postgres.user.switched).toBe(asRoot)
    const clusterDir = await startedServer(postgres, await openFolder('sluice-lp-data-'))
    expect(await postgres.isRunning(clusterDir)).toBe(true)
    expect(await answers(await portOf(clusterDir))).toBe('UTF8')
    await postgres.stop(clusterDir)
    expect(await postgres.isRunning(clusterDir)).toBe(false)
    await postgres.stop(clusterDir)
  })

  it.runIf(asRoot)(
    'runs from a verified copy when the server’s user cannot reach the binaries, made once',
    async () => {
      const installed = await installedNativeDir()
      // A private folder (0700, as mktemp -d or /root): the postgres user cannot enter it.
      const privateDir = await mkdtemp(join(tmpdir(), 'sluice-lp-private-'))
      folders.push(privateDir)
      const nativeDir = join(privateDir, 'native')
      execFileSync('cp', ['-a', installed.nativeDir, nativeDir])
      const copyParent = join(await openFolder('sluice-lp-copies-'), 'nested')
      const binaries = { nativeDir, version: installed.version }

      const postgres = await LocalPostgres.prepare({ copyParent, binaries })
      expect(postgres.binDir).toBe(join(copyParent, `postgres-${installed.version}`, 'bin'))
      const clusterDir = await startedServer(postgres, await openFolder('sluice-lp-data-'))
      expect(await answers(await portOf(clusterDir))).toBe('UTF8')

      const copied = await stat(join(postgres.binDir, 'postgres'))
      const again = await LocalPostgres.prepare({ copyParent, binaries })
      expect((await stat(join(again.binDir, 'postgres'))).ino, 'reused, not copied again').toBe(
        copied.ino,
      )
      // A damaged copy (a file gone) is noticed and made again.
      await rm(join(postgres.binDir, 'initdb'))
      const repaired = await LocalPostgres.prepare({ copyParent, binaries })
      expect((await stat(join(repaired.binDir, 'initdb'))).isFile()).toBe(true)
    },
  )

  it.runIf(asRoot)(
    'says so when the binaries are out of reach and so is the folder they would be copied to',
    async () => {
      const installed = await installedNativeDir()
      const privateDir = await mkdtemp(join(tmpdir(), 'sluice-lp-private-'))
      folders.push(privateDir)
      const nativeDir = join(privateDir, 'native')
      execFileSync('cp', ['-a', installed.nativeDir, nativeDir])
      const error = await failureOf(
        LocalPostgres.prepare({
          copyParent: join(privateDir, 'data-parent'),
          binaries: { nativeDir, version: installed.version },
          remedy: 'set SLUICE_DATA_DIR elsewhere',
        }),
      )
      expect(error.code).toBe('UNREACHABLE')
      expect(error.message).toContain(`cannot enter ${privateDir} (mode 0700), where the binaries`)
      expect(error.message).toMatch(/set SLUICE_DATA_DIR elsewhere$/)
      expect(readdirSync(privateDir), 'nothing copied').toEqual(['native'])
    },
  )
  it.runIf(asRoot)(
    'names the folder the server’s user cannot enter to reach its data',
    async () => {
      const postgres = await LocalPostgres.prepare({
        copyParent: await openFolder('sluice-lp-'),
        remedy: 'set SLUICE_DATA_DIR elsewhere',
      })
      const privateDir = await mkdtemp(join(tmpdir(), 'sluice-lp-private-'))
      folders.push(privateDir)
      const error = await failureOf(
        postgres.init(join(privateDir, 'data', 'pg'), { password: 'x' }),
      )
      expect(error.code).toBe('UNREACHABLE')
      expect(error.message).toContain(
        `the "postgres" OS user that runs PostgreSQL cannot enter ${privateDir} (mode 0700)`,
      )
      expect(error.message).toMatch(/set SLUICE_DATA_DIR elsewhere$/)
    },
  )

  it('says which port is taken', async () => {
    const postgres = await LocalPostgres.prepare({ copyParent: await openFolder('sluice-lp-') })
    const clusterDir = join(await openFolder('sluice-lp-data-'), 'pg')
    await postgres.init(clusterDir, { password: 'pw-test' })
    const squatter = createServer()
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve))
    const { port } = squatter.address() as AddressInfo
    try {
      const error = await failureOf(postgres.start(clusterDir, { port }))
      expect(error.code).toBe('PORT_IN_USE')
      expect(error.message).toContain(`could not listen on 127.0.0.1:${String(port)}`)
    } finally {
      await new Promise((resolve) => squatter.close(resolve))
    }
    expect(await postgres.isRunning(clusterDir)).toBe(false)
  })

  it('refuses a data folder made by another major version, saying how to go on', async () => {
    const postgres = await LocalPostgres.prepare({ copyParent: await openFolder('sluice-lp-') })
    const clusterDir = join(await openFolder('sluice-lp-data-'), 'pg')
    await mkdir(clusterDir)
    await writeFile(join(clusterDir, 'PG_VERSION'), '9\n')
    const error = await failureOf(postgres.start(clusterDir, { port: await freePort() }))
    expect(error.code).toBe('VERSION_MISMATCH')
    expect(error.message).toMatch(/made by PostgreSQL 9 but .* upgrade it with pg_upgrade/)
  })

  it('reports initdb’s own reason on one line', async () => {
    const postgres = await LocalPostgres.prepare({ copyParent: await openFolder('sluice-lp-') })
    const clusterDir = join(await openFolder('sluice-lp-data-'), 'pg')
    await mkdir(clusterDir)
    await writeFile(join(clusterDir, 'something'), 'not a cluster')
    const error = await failureOf(postgres.init(clusterDir, { password: 'x' }))
    expect(error.code).toBe('INITDB_FAILED')
    expect(error.message).toMatch(/exists but is not empty/)
    expect(error.message).not.toContain('\n')
  })

  it('reports binaries it cannot run instead of crashing on a spawn error', async () => {
    const nativeDir = join(await openFolder('sluice-lp-broken-'), 'native')
    await mkdir(join(nativeDir, 'bin'), { recursive: true })
    await writeFile(join(nativeDir, 'bin', 'postgres'), 'not a program', { mode: 0o644 })
    const error = await failureOf(
      LocalPostgres.prepare({
        copyParent: await openFolder('sluice-lp-'),
        binaries: { nativeDir, version: '0.0.0-broken' },
      }),
    )
    expect(error.code).toBe('SPAWN_FAILED')
    expect(error.message).toContain('EACCES')
  })
})
