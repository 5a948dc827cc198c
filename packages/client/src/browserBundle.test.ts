import { fileURLToPath } from 'node:url'
import { createContext, runInContext } from 'node:vm'
import { build } from 'esbuild'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type * as ClientModule from './index'
import { startTestEngine, type TestEngine } from './testing/testEngine'

/*
 * The client's browser entry, bundled as a browser application's bundler would: no Node built-in
 * may be reached from it, and the bundle must work with nothing but a browser's globals.
 */

const entry = fileURLToPath(new URL('./index.ts', import.meta.url))
let bundle: { text: string; inputs: string[] }
let test: TestEngine | undefined

beforeAll(async () => {
  const built = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'SluiceClientBundle',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const imports = Object.values(built.metafile.inputs).flatMap((input) =>
    input.imports.map((imported) => imported.path),
  )
  bundle = {
    text: built.outputFiles[0]?.text ?? '',
    inputs: [...Object.keys(built.metafile.inputs), ...imports],
  }
  test = await startTestEngine('client_browser')
  await test.putPipeline('web', { batchSize: 10, flushIntervalMs: 5 })
})

afterAll(async () => {
  await test?.stop()
})

it('reaches no node: module, and nothing of Node, from its browser entry', () => {
  expect(bundle.inputs.filter((path) => path.startsWith('node:'))).toEqual([])
  expect(bundle.text).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b|node:/)
  // The bundle holds the client and its contract's schemas: it was built, not emptied.
  expect(bundle.inputs.some((path) => path.includes('contract/src/ingest.ts'))).toBe(true)
})

it('sends queries from a realm with only a browser’s globals', async () => {
  const browser = createContext({
    fetch,
    Headers,
    Request,
    Response,
    AbortController,
    AbortSignal,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    crypto: globalThis.crypto,
    setTimeout,
    clearTimeout,
    console,
  })
  runInContext(bundle.text, browser)
  const { SluiceClient } = (browser as { SluiceClientBundle: typeof ClientModule })
    .SluiceClientBundle
  const engine = test as TestEngine
  const client = new SluiceClient({ url: engine.engine.url, token: engine.token })
  const sent = await client
    .pipeline('web')
    .send([{ sql: 'SELECT $1::text AS hello', params: ['web'] }])
  expect(sent.results[0]?.rows).toEqual([{ hello: 'web' }])
  const missing = await client
    .pipeline('absent')
    .send([{ sql: 'SELECT 1' }])
    .catch((error: unknown) => error)
  expect(missing).toMatchObject({ name: 'SluiceClientError', code: 'NOT_FOUND', status: 404 })
})
