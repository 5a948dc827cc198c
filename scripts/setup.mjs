// First-run set-up shared by `npm start` and `npm test`: installs what a fresh clone lacks, so
// the README's two commands are all a newcomer types. Node built-ins only: nothing is installed yet.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) {
    console.error(
      `sluice: \`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal})`,
    )
    process.exit(result.status ?? 1)
  }
}

/** Runs `npm ci` when node_modules is missing or older than the lock file's install. */
export function ensureDependencies() {
  if (existsSync(join(root, 'node_modules', '.package-lock.json'))) return
  console.log('sluice: installing dependencies (npm ci)…')
  run('npm', ['ci', '--no-audit', '--no-fund'])
}

/** The browser tests need Debian's chromium; install it when we may (root), else say how. */
export function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log('sluice: installing chromium for the browser tests (apt-get)…')
    run('apt-get', ['update', '-qq'])
    run('apt-get', ['install', '-y', '-qq', 'chromium'])
    return
  }
  console.error(
    'sluice: the browser tests need /usr/bin/chromium: run `sudo apt-get install -y chromium`',
  )
  process.exit(1)
}

/** Runs a binary from node_modules/.bin, forwarding signals and the exit code. */
export function runLocalBin(name, args) {
  const result = spawnSync(join(root, 'node_modules', '.bin', name), args, {
    cwd: root,
    stdio: 'inherit',
  })
  process.exit(result.status ?? 1)
}
