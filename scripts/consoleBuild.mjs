// The console's production build (what `next start` serves), made once and again only when what
// it is built from changed: the console's files, the workspace packages it runs with, the
// TypeScript config and the lock file. A stamp in .next holds the hash of all of them.
// `node scripts/consoleBuild.mjs [--force]`, or import { ensureConsoleBuild }.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const consoleDir = join(root, 'apps', 'console')
const stampFile = join(consoleDir, '.next', 'sluice-build-stamp')
// Not inputs: what builds, tests and tools write, and the docs.
const skipped = new Set(['node_modules', '.next', '.turbo', 'dist', 'test-results', 'coverage'])
const generated = /(^next-env\.d\.ts|\.tsbuildinfo|\.md)$/

function filesUnder(folder) {
  const found = []
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (skipped.has(entry.name) || generated.test(entry.name)) continue
    const path = join(folder, entry.name)
    if (entry.isDirectory()) found.push(...filesUnder(path))
    else if (entry.isFile()) found.push(path)
  }
  return found
}

/** The workspace folders of the @sluice/* packages the console's package.json names. */
function workspaceInputs() {
  const manifest = JSON.parse(readFileSync(join(consoleDir, 'package.json'), 'utf8'))
  const names = Object.keys({ ...manifest.dependencies }).filter((name) =>
    name.startsWith('@sluice/'),
  )
  names.push('@sluice/tsconfig')
  const folders = []
  for (const group of ['packages', 'tooling', 'apps']) {
    for (const entry of readdirSync(join(root, group))) {
      const packageFile = join(root, group, entry, 'package.json')
      if (!existsSync(packageFile)) continue
      if (names.includes(JSON.parse(readFileSync(packageFile, 'utf8')).name))
        folders.push(join(root, group, entry))
    }
  }
  return folders
}

/** Hash of everything the build is made from. */
export function consoleSourceHash() {
  const files = [consoleDir, ...workspaceInputs()].flatMap(filesUnder)
  files.push(join(root, 'package-lock.json'))
  const hash = createHash('sha256')
  for (const file of files.sort()) {
    hash.update(`${relative(root, file)}\0`)
    hash.update(readFileSync(file))
    hash.update('\0')
  }
  return hash.digest('hex')
}

/** Whether .next holds a complete build made from the sources as they are now. */
export function consoleBuildIsCurrent(hash = consoleSourceHash()) {
  if (!existsSync(join(consoleDir, '.next', 'BUILD_ID'))) return false
  return existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === hash
}

/**
 * Builds the console unless the build on disk was made from the same sources (`force`: always).
 * Answers true when it built.
 */
export function ensureConsoleBuild({ force = false } = {}) {
  const hash = consoleSourceHash()
  if (!force && consoleBuildIsCurrent(hash)) return false
  console.log(
    force
      ? 'sluice: building the console (next build)…'
      : existsSync(stampFile)
        ? 'sluice: the console changed since its last build: building it (next build)…'
        : 'sluice: building the console once (next build); later starts reuse it…',
  )
  const started = Date.now()
  const nextBin = join(root, 'node_modules', 'next', 'dist', 'bin', 'next')
  const result = spawnSync(process.execPath, [nextBin, 'build'], {
    cwd: consoleDir,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  })
  if (result.status !== 0) {
    console.error(`sluice: the console build failed (exit ${result.status ?? result.signal})`)
    process.exit(result.status ?? 1)
  }
  // Hashed again: a first build may rewrite an input (next adds to tsconfig.json).
  writeFileSync(stampFile, consoleSourceHash() + '\n')
  console.log(`sluice: console built in ${Math.round((Date.now() - started) / 1000)} s`)
  return true
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureConsoleBuild({ force: process.argv.includes('--force') })
}
