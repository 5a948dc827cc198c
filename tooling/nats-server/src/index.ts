/**
 * Real nats-server processes for tests that kill or cluster NATS (the machine's own server at
 * 127.0.0.1:4222 serves every other test).
 *
 * @example
 * import { startNatsCluster } from '@sluice/nats-server'
 *
 * const cluster = await startNatsCluster(3)
 * try {
 *   // connect to cluster.urls, kill cluster.servers[i], restart it...
 * } finally {
 *   await cluster.stop()
 * }
 */
export { startNatsCluster, startNatsServer } from './natsServer'
export type { NatsCluster, NatsServer } from './natsServer'
