import { pgConfig, targetFromUrl, throughEndpoint } from '../database/benchTarget'
import { startDelayProxy } from '../proxy/delayProxy'
import type { DelayProxy, DelayProxyImplementation } from '../proxy/delayProxy'
import { measureSelectOneRoundTrip } from '../proxy/roundTrip'
import type { NetworkResult } from './results'
import type { Summary } from './stats'

/** A way to reach the server: directly, or through the delay proxy. */
export interface NetworkPath {
  readonly endpoint: { readonly host: string; readonly port: number }
  readonly network: NetworkResult
  close(): Promise<void>
}

/**
 * Opens the path for a one-way delay (0 = direct, no proxy) and measures the round trip of
 * `SELECT 1` over it. With `calibrate`, the proxy's own overhead (wake-ups around each delayed
 * chunk, about 0.1 ms each way on a busy VM) is measured and taken off its delay, so that the
 * measured round trip is the direct one plus twice the nominal delay: a "1 ms round trip" then
 * costs the naive form 1 ms more per query, not more.
 *
 * @example
 * const path = await openNetworkPath(serverUrl, 500, 'auto', true)
 * console.log(path.network.selectOneRttMs.median)
 * await path.close()
 */
export async function openNetworkPath(
  serverUrl: string,
  oneWayDelayUs: number,
  implementation: DelayProxyImplementation | 'auto',
  calibrate = true,
): Promise<NetworkPath> {
  const server = targetFromUrl(serverUrl, 'public')
  const direct = await measureSelectOneRoundTrip(pgConfig(server))
  if (oneWayDelayUs === 0) {
    return {
      endpoint: { host: server.host, port: server.port },
      network: { label: 'direct', oneWayDelayUs: 0, selectOneRttMs: direct },
      close: () => Promise.resolve(),
    }
  }
  const open = async (delayUs: number): Promise<{ proxy: DelayProxy; rtt: Summary }> => {
    const proxy = await startDelayProxy({
      targetHost: server.host,
      targetPort: server.port,
      upDelayUs: delayUs,
      downDelayUs: delayUs,
      implementation,
    })
    return {
      proxy,
      rtt: await measureSelectOneRoundTrip(
        pgConfig(throughEndpoint(server, proxy.host, proxy.port)),
      ),
    }
  }
  let configured = oneWayDelayUs
  let { proxy, rtt } = await open(configured)
  // Overhead beyond the direct round trip plus the delay, in µs per direction.
  const excessUs = ((rtt.median - direct.median) * 1000 - 2 * oneWayDelayUs) / 2
  if (calibrate && excessUs > 5) {
    await proxy.close()
    // Never take off more than 40%: a larger excess means a busy machine, not a slow proxy.
    configured = Math.round(Math.max(0.6 * oneWayDelayUs, oneWayDelayUs - excessUs))
    ;({ proxy, rtt } = await open(configured))
  }
  return {
    endpoint: { host: proxy.host, port: proxy.port },
    network: {
      label: 'proxy',
      oneWayDelayUs,
      configuredOneWayDelayUs: configured,
      selectOneRttMs: rtt,
      directRttMs: direct.median,
      proxyImplementation: proxy.implementation,
    },
    close: () => proxy.close(),
  }
}
