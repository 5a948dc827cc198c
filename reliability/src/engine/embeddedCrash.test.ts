import { readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { mustPutPipeline } from '../testing/engineApi'
import { launchEngine, type EngineProcess } from '../testing/engineProcess'
import { reportFigures } from '../testing/figures'
import { ingest, resultsOf } from '../testing/ingestClient'

/*
 * `npm start` on a laptop: the engine with no DATABASE_URL runs its own embedded PostgreSQL. When
 * the engine is killed outright (kill -9, the OOM killer), its PostgreSQL is left running with
 * nobody to stop it. The next start on the same data folder must still come up, with the
 * pipelines and the data that were acknowledged, and a clean stop must leave no server behind.
 */

/** PostgreSQL processes whose command line names `dataDir` (read from /proc: no `ps` needed). */
function serversOn(dataDir: string): string[] {
  const found: string[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let args: string
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ')
    } catch {
      continue
    }
    if (args.includes(dataDir) && /postgres/.test(args)) found.push(`${entry} ${args}`)
  }
  return found
}

describe('embedded database, engine killed', () => {
  let dataDir = ''
  let engine: EngineProcess | undefined
  afterAll(async () => {
    await engine?.stop('SIGTERM', 30_000)
    for (const line of serversOn(dataDir)) {
      const pid = Number(line.trim().split(/\s+/)[0])
      if (pid > 0) process.kill(pid, 'SIGKILL')
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('restarts on the same data folder after a SIGKILL, and a clean stop leaves no server behind', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sluice-reliability-embedded-'))
    const env = { SLUICE_DATA_DIR: dataDir }
    engine = await launchEngine({ env, readyTimeoutMs: 90_000 })
    await mustPutPipeline(engine.baseUrl, 'local', {
      strategy: 'sequential',
      batchSize: 10,
      flushIntervalMs: 5,
    })
    const created = await ingest(engine.baseUrl, 'local', [
      { sql: 'CREATE TABLE notes (body text NOT NULL)' },
    ])
    expect(resultsOf(created)?.[0]?.status, created.text.slice(0, 300)).toBe('succeeded')
    const written = await ingest(
      engine.baseUrl,
      'local',
      Array.from({ length: 20 }, (_, i) => ({
        sql: 'INSERT INTO notes (body) VALUES ($1)',
        params: [`note ${i}`],
      })),
    )
    expect(resultsOf(written)?.every((r) => r.status === 'succeeded')).toBe(true)
    const serversBefore = serversOn(dataDir).length

    await engine.stop('SIGKILL')
    const orphaned = serversOn(dataDir).length
    engine = await launchEngine({ env, readyTimeoutMs: 90_000 })
    const counted = await ingest(engine.baseUrl, 'local', [
      { sql: 'SELECT count(*)::int AS n FROM notes' },
    ])
    const more = await ingest(engine.baseUrl, 'local', [
      { sql: 'INSERT INTO notes (body) VALUES ($1)', params: ['after'] },
    ])

    const exit = await engine.stop('SIGTERM', 30_000)
    engine = undefined
    const left = serversOn(dataDir)
    reportFigures('embedded database, engine SIGKILL', {
      serversWhileRunning: serversBefore,
      orphanedAfterKill: orphaned,
      rowsAfterRestart: String(resultsOf(counted)?.[0]?.rows?.[0]?.n),
      writeAfterRestart: resultsOf(more)?.[0]?.status ?? String(more.status),
      exitCode: String(exit.code),
      serversAfterStop: left.length,
    })
    expect(serversBefore, 'the embedded server runs from the data folder').toBeGreaterThan(0)
    expect(resultsOf(counted)?.[0]?.rows).toEqual([{ n: 20 }])
    expect(resultsOf(more)?.[0]?.status).toBe('succeeded')
    expect(exit.code).toBe(0)
    expect(left, 'a clean stop leaves no PostgreSQL behind').toEqual([])
  })
})
