// `npm start`: the engine (embedded PostgreSQL, demo pipeline) and the console's production build,
// together. The engine is bundled to JavaScript first (under a second); the console is built once
// and again only when its sources changed. Both run in this process group, so a terminal's Ctrl-C
// reaches them directly; signals sent to this process alone (a supervisor) are passed on.
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { ensureConsoleBuild } from './consoleBuild.mjs'
import { ensureDependencies, root } from './setup.mjs'

ensureDependencies()
const enginePort = process.env.SLUICE_PORT || '4000'
const consolePort = process.env.SLUICE_CONSOLE_PORT || '3000'
const engineDir = join(root, 'apps', 'engine')
const consoleDir = join(root, 'apps', 'console')

const engineBuild = spawnSync(process.execPath, ['esbuild.config.mjs'], {
  cwd: engineDir,
  stdio: 'inherit',
})
if (engineBuild.status !== 0) {
  console.error('sluice: the engine did not build (see above)')
  process.exit(engineBuild.status ?? 1)
}
ensureConsoleBuild()

console.log(
  `sluice: starting the engine on http://127.0.0.1:${enginePort} and the console on http://127.0.0.1:${consolePort}`,
)
const engine = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js', '--demo'], {
  cwd: engineDir,
  stdio: 'inherit',
})
const nextBin = join(root, 'node_modules', 'next', 'dist', 'bin', 'next')
const consoleServer = spawn(
  process.execPath,
  [nextBin, 'start', '--hostname', '127.0.0.1', '--port', consolePort],
  { cwd: consoleDir, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } },
)

const running = (child) => child.exitCode === null && child.signalCode === null
let stopping = false
let consoleFailed = false

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopping = true
    // The engine counts copies of one signal arriving together as one.
    for (const child of [engine, consoleServer]) if (running(child)) child.kill(signal)
  })
}

consoleServer.on('exit', (code, signal) => {
  if (stopping || !running(engine)) return
  consoleFailed = true
  console.error(
    `sluice: the console stopped (${signal ?? `exit ${code}`}): stopping the engine (it drains first)`,
  )
  engine.kill('SIGTERM')
})

engine.on('exit', (code, signal) => {
  if (!stopping && code !== 0)
    console.error(`sluice: the engine stopped (${signal ?? `exit ${code}`}), see above`)
  const done = () => {
    // npm and its shell may end by the terminal's signal themselves: say how the engine ended.
    console.log(`sluice: stopped (engine ${signal ?? `exit ${code}`})`)
    process.exit(consoleFailed ? 1 : (code ?? 1))
  }
  if (!running(consoleServer)) done()
  else {
    consoleServer.once('exit', done)
    consoleServer.kill('SIGTERM')
  }
})

/** Says once when both answer: the moment a browser can be pointed at the console. */
async function announceReady() {
  const answers = async (url) => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      await response.body?.cancel()
      return response.status < 500
    } catch {
      return false
    }
  }
  while (running(engine) && running(consoleServer)) {
    const [engineUp, consoleUp] = await Promise.all([
      answers(`http://127.0.0.1:${enginePort}/healthz`),
      answers(`http://127.0.0.1:${consolePort}/api/trpc/health.get`),
    ])
    if (engineUp && consoleUp) {
      console.log(
        `sluice: ready — open http://127.0.0.1:${consolePort} (engine http://127.0.0.1:${enginePort}); Ctrl-C stops both`,
      )
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}
void announceReady()
