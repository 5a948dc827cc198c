/**
 * Why the HTTP server could not listen, as one line with the fix: a taken port is the usual
 * case (another engine still running).
 *
 * @example
 * server.once('error', (error) => reject(listenFailure(error, '127.0.0.1', 4000)))
 */
export function listenFailure(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host}:${String(port)}`
  switch (error.code) {
    case 'EADDRINUSE':
      return new Error(
        `${where} is already in use (another engine still running?): stop that program or set SLUICE_PORT to another port (0 picks a free one)`,
        { cause: error },
      )
    case 'EACCES':
      return new Error(
        `not allowed to listen on ${where}: ports below 1024 need privileges; set SLUICE_PORT to 1024 or above`,
        { cause: error },
      )
    case 'EADDRNOTAVAIL':
      return new Error(
        `${host} is not an address of this machine: set SLUICE_HOST to one of its addresses, such as 127.0.0.1`,
        { cause: error },
      )
    default:
      return new Error(`could not listen on ${where}: ${error.message}`, { cause: error })
  }
}
