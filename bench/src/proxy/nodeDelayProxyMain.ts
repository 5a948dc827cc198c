import { NodeDelayProxy } from './nodeDelayProxy'

// Child-process entry of the Node delay proxy, with the same command line and "PORT <n>" line as
// the C helper, so the paced polling loop never competes with the benchmark's own event loop.
const [listenPort, targetHost, targetPort, upUs, downUs] = process.argv.slice(2)
if (targetHost === undefined || downUs === undefined) {
  process.stderr.write(
    'usage: nodeDelayProxyMain <listen_port> <target_host> <target_port> <up_us> <down_us>\n',
  )
  process.exit(2)
}
const proxy = new NodeDelayProxy({
  listenPort: Number(listenPort),
  targetHost,
  targetPort: Number(targetPort),
  upDelayUs: Number(upUs),
  downDelayUs: Number(downUs),
})
const port = await proxy.listen()
process.stdout.write(`PORT ${port}\n`)
// Exit with the parent: it holds our stdin open.
process.stdin.resume()
process.stdin.on('end', () => {
  void proxy.close().then(() => process.exit(0))
})
