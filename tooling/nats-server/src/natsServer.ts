import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@sluice/test-database'

/** Debian's package puts it here; CI has the same. */
const NATS_SERVER_BINARY = process.env['NATS_SERVER_BINARY'] ?? '/usr/sbin/nats-server'

/** One real nats-server process with JetStream, on loopback ports of its own. */
export interface NatsServer {
  /** The server's name (`-n`), unique within its cluster. */
  readonly name: string
  /** Client URL, e.g. `nats://127.0.0.1:41234`. */
  readonly url: string
  /** JetStream's store directory; it survives `kill()` and `restart()`, `stop()` removes it. */
  readonly storeDir: string
  /** Whether the process is running now. */
  readonly running: boolean
  /** SIGKILL: no shutdown, as a crashed host would leave it. */
  kill(): Promise<void>
  /** Starts the process again with the same ports, name and store (after `kill()`). */
  restart(): Promise<void>
  /** Stops the process and removes its store. */
  stop(): Promise<void>
}

/** Where a member of a cluster routes to; set by `startNatsCluster`. */
interface ClusterPlacement {
  readonly clusterName: string
  readonly clusterPort: number
  readonly routes: readonly number[]
}

interface ServerPlan {
  readonly name: string
  readonly port: number
  readonly monitorPort: number
  readonly storeDir: string
  readonly cluster?: ClusterPlacement
}

function argumentsOf(plan: ServerPlan): string[] {
  const args = ['-a', '127.0.0.1', '-p', String(plan.port), '-m', String(plan.monitorPort)]
  args.push('-n', plan.name, '-js', '-sd', plan.storeDir)
  if (plan.cluster) {
    const { clusterName, clusterPort, routes } = plan.cluster
    args.push('--cluster_name', clusterName, '--cluster', `nats://127.0.0.1:${clusterPort}`)
    args.push('--routes', routes.map((port) => `nats://127.0.0.1:${port}`).join(','))
  }
  return args
}

/** Waits until the server's /healthz says JetStream is ready (a cluster's members need quorum). */
async function waitHealthy(
  plan: ServerPlan,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`nats-server ${plan.name} exited (${child.exitCode}): ${output()}`)
    }
    try {
      const response = await fetch(`http://127.0.0.1:${plan.monitorPort}/healthz`)
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`nats-server ${plan.name} was not healthy within 30 s: ${output()}`)
}

function launch(plan: ServerPlan): ChildProcess {
  if (!existsSync(NATS_SERVER_BINARY)) {
    throw new Error(`${NATS_SERVER_BINARY} is missing: apt-get install -y nats-server`)
  }
  return spawn(NATS_SERVER_BINARY, argumentsOf(plan), { stdio: ['ignore', 'ignore', 'pipe'] })
}

function serverOf(plan: ServerPlan): { server: NatsServer; started: Promise<void> } {
  let child: ChildProcess | undefined
  let stderr = ''
  const exited = (): Promise<void> =>
    new Promise((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) resolve()
      else
        child.once('exit', () => {
          resolve()
        })
    })
  const start = async (): Promise<void> => {
    stderr = ''
    child = launch(plan)
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000)
    })
    await waitHealthy(plan, child, () => stderr)
  }
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    const done = exited()
    child?.kill(name)
    await done
  }
  const server: NatsServer = {
    name: plan.name,
    url: `nats://127.0.0.1:${plan.port}`,
    storeDir: plan.storeDir,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null
    },
    kill: () => signal('SIGKILL'),
    restart: start,
    async stop() {
      await signal('SIGTERM')
      await rm(plan.storeDir, { recursive: true, force: true })
    },
  }
  return { server, started: start() }
}

async function planOf(name: string, cluster?: ClusterPlacement): Promise<ServerPlan> {
  const storeDir = await mkdtemp(join(tmpdir(), `sluice-nats-${name}-`))
  const plan = { name, port: await freePort(), monitorPort: await freePort(), storeDir }
  return cluster ? { ...plan, cluster } : plan
}

/**
 * Starts one nats-server with JetStream on free loopback ports, its store in a new temporary
 * folder; resolves once it is healthy.
 *
 * @example
 * const nats = await startNatsServer()
 * const connection = await connect({ servers: nats.url })
 * // ...
 * await nats.stop()
 */
export async function startNatsServer(): Promise<NatsServer> {
  const { server, started } = serverOf(await planOf(`solo-${process.pid}-${Date.now()}`))
  try {
    await started
  } catch (error) {
    await server.stop()
    throw error
  }
  return server
}

/** A JetStream cluster of real nats-server processes routed to each other on loopback. */
export interface NatsCluster {
  readonly servers: readonly NatsServer[]
  /** Every member's client URL, for a client's `servers` option. */
  readonly urls: readonly string[]
  /** Stops every member and removes their stores. */
  stop(): Promise<void>
}

/**
 * Starts `size` nats-server processes as one JetStream cluster; resolves once every member is
 * healthy (the meta group has a leader).
 *
 * @example
 * const cluster = await startNatsCluster(3)
 * const connection = await connect({ servers: [...cluster.urls] })
 * await cluster.servers[0]?.kill()
 */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const clusterName = `sluice-${process.pid}-${Date.now()}`
  const clusterPorts = await Promise.all(Array.from({ length: size }, () => freePort()))
  const plans = await Promise.all(
    clusterPorts.map((clusterPort, index) =>
      planOf(`${clusterName}-${index + 1}`, {
        clusterName,
        clusterPort,
        routes: clusterPorts.filter((port) => port !== clusterPort),
      }),
    ),
  )
  const members = plans.map(serverOf)
  const servers = members.map((member) => member.server)
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()))
  }
  try {
    await Promise.all(members.map((member) => member.started))
  } catch (error) {
    await stop()
    throw error
  }
  return { servers, urls: servers.map((server) => server.url), stop }
}
