import { startTcpProxy } from '@sluice/tcp-proxy'

// Child-process entry of the Node delay proxy (@sluice/tcp-proxy), with the same command line and
// "PORT <n>" line as the C helper, so its paced polling loop never competes with the benchmark's
// own event loop.
const [listenPort, targetHost, targetPort, upUs, downUs] = process.argv.slice(2)
if (targetHost === undefined || downUs === undefined) {
  process.stderr.write(
    'usage: nodeDelayProxyMain <listen_port> <target_host> <target_port> <up_us> <down_us>\n',
  )
  process.exit(2)
}
const proxy = await startTcpProxy({
  target: { host: targetHost, port: Number(targetPort) },
  listenPort: Number(listenPort),
  faults: { toServerDelayMs: Number(upUs) / 1000, toClientDelayMs: Number(downUs) / 1000 },
})
process.stdout.write(`PORT ${proxy.port}\n`)
// Exit with the parent: it holds our stdin open.
process.stdin.resume()
process.stdin.on('end', () => {
  void proxy.close().then(() => process.exit(0))
})
