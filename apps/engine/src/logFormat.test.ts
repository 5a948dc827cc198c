import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const engineDir = fileURLToPath(new URL('..', import.meta.url))
let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase('log_format')
})
afterAll(async () => {
  await db.drop()
})

/**
 * Runs the engine until it says it listens, then stops it; answers everything it printed. With
 * `terminal`, under `script`, so its stdout is a pseudo-terminal as in a shell.
 */
async function firstLines(terminal: boolean): Promise<string> {
  const command = `${process.execPath} --import tsx src/main.ts`
  const child = terminal
    ? spawn('script', ['-qec', command, '/dev/null'], { cwd: engineDir, env: engineEnv() })
    : spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: engineDir,
        env: engineEnv(),
      })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
    if (output.includes('Sluice engine listening')) child.kill('SIGTERM')
  })
  await new Promise((resolve) => child.once('exit', resolve))
  return output
}

function engineEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATABASE_URL: db.url,
    SLUICE_PORT: '0',
    OTEL_SDK_DISABLED: 'true',
  }
}

describe('log lines', () => {
  it('are readable text on a terminal', async () => {
    const output = await firstLines(true)
    const line = output.split('\n').find((text) => text.includes('Sluice engine listening'))
    expect(line, output).toBeDefined()
    expect(line).toMatch(/\d\d:\d\d:\d\d.*INFO.*Sluice engine listening on http:\/\/127\.0\.0\.1:/)
    expect(line?.trim().startsWith('{')).toBe(false)
  })

  it('are one JSON object each otherwise (a pipe, a service manager)', async () => {
    const output = await firstLines(false)
    const lines = output.split('\n').filter((text) => text.trim() !== '')
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow()
    expect(output).toContain('"msg":"Sluice engine listening on http://127.0.0.1:')
  })
})
