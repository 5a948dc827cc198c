import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postJson } from './testing/engineHarness'

/*
 * Production: `npm run build` bundles the engine into dist/ and `node dist/main.js` runs it with
 * no TypeScript loader, OpenTelemetry started before pg is loaded.
 */

const engineDir = fileURLToPath(new URL('..', import.meta.url))
const dist = join(engineDir, 'dist')
let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase('built_engine')
  execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: engineDir, stdio: 'pipe' })
})
afterAll(async () => {
  await db.drop()
})

/** Every module `file` loads before its code runs (static imports, followed into local chunks). */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  const text = readFileSync(file, 'utf8')
  for (const match of text.matchAll(/^import\s[^'"]*?["']([^"']+)["'];?$/gm)) {
    const specifier = match[1] ?? ''
    if (specifier.startsWith('.')) {
      const local = join(dirname(file), specifier)
      if (!seen.has(local)) {
        seen.add(local)
        staticImports(local, seen)
      }
    } else seen.add(specifier)
  }
  return seen
}

describe('the built engine', () => {
  it('loads neither pg nor pipeline-core before telemetry has started', () => {
    const loadedFirst = [...staticImports(join(dist, 'main.js'))]
    expect(loadedFirst).toContain('@opentelemetry/sdk-node')
    expect(loadedFirst.filter((name) => /^(pg|pg-.*|libpg-query)$/.test(name))).toEqual([])
    expect(readFileSync(join(dist, 'main.js'), 'utf8')).toMatch(/import\("\.\/chunks\/engine-/)
  })

  it('runs with plain node, serves queries, and stops on SIGTERM with exit 0', async () => {
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: engineDir,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: db.url,
        SLUICE_PORT: '0',
        OTEL_TRACES_EXPORTER: 'none',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    const deadline = Date.now() + 30_000
    let url: string | undefined
    while (url === undefined && Date.now() < deadline && child.exitCode === null) {
      url = /Sluice engine listening on (http:\/\/[^ ]+) /.exec(output)?.[1]
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(url, output).toBeDefined()
    await postJson(`${url ?? ''}/v1/pipelines/built`, {}, { method: 'PUT' })
    const answer = await postJson(`${url ?? ''}/v1/pipelines/built/queries`, {
      queries: [{ sql: 'SELECT 40 + $1::int AS n', params: [2] }],
    })
    expect(answer.body).toMatchObject({ results: [{ status: 'succeeded', rows: [{ n: 42 }] }] })
    // Metrics come from the OpenTelemetry SDK: it started in the built engine too.
    expect(await (await fetch(`${url ?? ''}/metrics`)).text()).toContain('sluice_queries')
    child.kill('SIGTERM')
    expect(await exited, output).toBe(0)
  })
})
