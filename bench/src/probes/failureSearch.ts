import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

/** The engine's failures-search figures (its `bench:search` script) on one fresh database. */
export interface FailureSearchResult {
  readonly rows: number
  readonly indexed: boolean
  readonly fillSeconds: number
  readonly timings: readonly {
    kind: string
    firstMs: number
    medianMs: number
    shown: number
    total: number
    totalIsEstimate: boolean
  }[]
}

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/**
 * Runs the engine's failures-search benchmark (`npm run bench:search -w @sluice/engine`): `rows`
 * synthetic failures generated in SQL in a database of its own, then the time of each kind of
 * search the console offers. The database is dropped after.
 *
 * @example
 * const search = await measureFailureSearch(server.url, 1_000_000)
 */
export async function measureFailureSearch(
  serverUrl: string,
  rows: number,
): Promise<FailureSearchResult> {
  const name = `bench_search_${randomBytes(4).toString('hex')}`
  await onServer(serverUrl, `CREATE DATABASE "${name}"`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        'npm',
        ['run', '-s', 'bench:search', '-w', '@sluice/engine', '--', url.toString(), String(rows)],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
      )
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
      child.once('error', reject)
      child.once('exit', (code) => {
        if (code === 0) resolve(out)
        else reject(new Error(`bench:search exited with ${String(code)}`))
      })
    })
    return JSON.parse(stdout.trim().split('\n').pop() ?? '') as FailureSearchResult
  } finally {
    await onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  }
}
