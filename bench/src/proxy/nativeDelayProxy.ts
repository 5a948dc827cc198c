import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { access, mkdir, readFile, rename } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const sourcePath = fileURLToPath(new URL('./delay_proxy.c', import.meta.url))

/**
 * Compiles the C delay proxy with the machine's gcc (once per source version, cached under the
 * OS temp folder) and returns the binary's path, or undefined when there is no working gcc.
 *
 * @example
 * const binary = await buildNativeDelayProxy()
 * if (!binary) console.log('no gcc: using the Node proxy')
 */
export async function buildNativeDelayProxy(): Promise<string | undefined> {
  const source = await readFile(sourcePath)
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12)
  const dir = join(tmpdir(), 'sluice-bench')
  const binary = join(dir, `delay-proxy-${hash}`)
  try {
    await access(binary)
    return binary
  } catch {
    // not built yet
  }
  await mkdir(dir, { recursive: true })
  const partial = `${binary}.${process.pid}.tmp`
  try {
    await run(process.env.CC ?? 'gcc', ['-O2', '-o', partial, sourcePath])
  } catch {
    return undefined
  }
  // Rename is atomic, so a concurrent bench never runs a half-written binary.
  await rename(partial, binary)
  return binary
}
