import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createEngine } from '../engine'
import { createLogger } from '../logger'
import { postJson } from '../testing/engineHarness'
import { startEmbeddedDatabase } from './embeddedDatabase'

const log = createLogger('silent')
const folders: string[] = []

afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })))
})

const postgresRunningIn = (folder: string): boolean => {
  const processes = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
  return processes.split('\n').some((line) => line.includes(join(folder, 'pg')))
}

describe('embedded PostgreSQL (no DATABASE_URL)', () => {
  it('starts in its own data folder, serves the engine, keeps data across restarts and stops', async () => {
    // Under the OS temp folder, not under /root: the server runs as the postgres user when we are root.
    const dataDir = await mkdtemp(join(tmpdir(), 'sluice-engine-embedded-'))
    folders.push(dataDir)
    const first = await createEngine({ port: 0, dataDir, logger: log })
    try {
      expect(first.embeddedDatabase).toBe(true)
      const health = (await (await fetch(`${first.url}/trpc/health.get`)).json()) as {
        result: { data: { database: unknown } }
      }
      expect(health.result.data.database).toMatchObject({ reachable: true, embedded: true })
      const created = await postJson(
        `${first.url}/v1/pipelines/local`,
        { batchSize: 5 },
        { method: 'PUT' },
      )
      expect(created.status).toBe(201)
      const answer = await postJson(`${first.url}/v1/pipelines/local/queries`, {
        queries: [{ sql: 'SELECT current_database() AS db' }],
      })
      expect(answer.body).toMatchObject({
        results: [{ status: 'succeeded', rows: [{ db: 'sluice' }] }],
      })
    } finally {
      await first.stop()
    }
    expect(postgresRunningIn(dataDir)).toBe(false)
    expect((await stat(join(dataDir, 'pg-password'))).mode & 0o077).toBe(0)

    const second = await createEngine({ port: 0, dataDir, logger: log })
    try {
      const pipelines = (await (await fetch(`${second.url}/v1/pipelines`)).json()) as {
        pipelines: { name: string }[]
      }
      expect(pipelines.pipelines.map((pipeline) => pipeline.name)).toEqual(['local'])
    } finally {
      await second.stop()
    }
  }, 90_000)

  it.runIf(process.getuid?.() === 0)(
    'refuses a data folder under root’s home, saying why',
    async () => {
      await expect(
        startEmbeddedDatabase({ dataDir: join(homedir(), 'sluice-data'), log }),
      ).rejects.toThrow("is under root's home")
    },
  )
})
