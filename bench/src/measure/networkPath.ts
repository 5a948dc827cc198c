import { pgConfig, targetFromUrl, throughEndpoint } from '../database/benchTarget'
import { startDelayProxy } from '../proxy/delayProxy'
import type { DelayProxyImplementation } from '../proxy/delayProxy'
import { measureSelectOneRoundTrip } from '../proxy/roundTrip'
import type { NetworkResult } from './results'

/** A way to reach the server: directly, or through the delay proxy. */
export interface NetworkPath {
  readonly endpoint: { readonly host: string; readonly port: number }
  readonly network: NetworkResult
  close(): Promise<void>
}

/**
 * Opens the path for a one-way delay (0 = direct, no proxy) and measures the round trip of
 * `SELECT 1` over it.
 *
 * @example
 * const path = await openNetworkPath(serverUrl, 500, 'auto')
 * console.log(path.network.selectOneRttMs.median)
 * await path.close()
 */
export async function openNetworkPath(
  serverUrl: string,
  oneWayDelayUs: number,
  implementation: DelayProxyImplementation | 'auto',
): Promise<NetworkPath> {
  const server = targetFromUrl(serverUrl, 'public')
  if (oneWayDelayUs === 0) {
    const rtt = await measureSelectOneRoundTrip(pgConfig(server))
    return {
      endpoint: { host: server.host, port: server.port },
      network: { label: 'direct', oneWayDelayUs: 0, selectOneRttMs: rtt },
      close: () => Promise.resolve(),
    }
  }
  const proxy = await startDelayProxy({
    targetHost: server.host,
    targetPort: server.port,
    upDelayUs: oneWayDelayUs,
    downDelayUs: oneWayDelayUs,
    implementation,
  })
  const rtt = await measureSelectOneRoundTrip(pgConfig(throughEndpoint(server, proxy.host, proxy.port)))
  return {
    endpoint: { host: proxy.host, port: proxy.port },
    network: { label: 'proxy', oneWayDelayUs, selectOneRttMs: rtt, proxyImplementation: proxy.implementation },
    close: () => proxy.close(),
  }
}
