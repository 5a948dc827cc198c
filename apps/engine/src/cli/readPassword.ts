import { createInterface } from 'node:readline'

/**
 * A new password for the users command: from `SLUICE_USER_PASSWORD`, from standard input (with
 * `--password-stdin`: everything up to the end, without the final newline), or asked for twice
 * on the terminal without echo.
 *
 * @example
 * const password = await readPassword({ fromStdin: false, fromEnv: process.env.SLUICE_USER_PASSWORD })
 */
export async function readPassword(source: {
  fromStdin: boolean
  fromEnv: string | undefined
}): Promise<string> {
  if (source.fromStdin) {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '')
  }
  if (source.fromEnv !== undefined && source.fromEnv !== '') return source.fromEnv
  if (!process.stdin.isTTY) {
    throw new Error(
      'no password: set SLUICE_USER_PASSWORD, pipe it with --password-stdin, or run in a terminal',
    )
  }
  const first = await ask('Password: ')
  const second = await ask('Again: ')
  if (first !== second) throw new Error('the two passwords differ')
  return first
}

function ask(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const terminal = createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: true,
    })
    // Echo nothing of what is typed after the prompt.
    const output = terminal as unknown as { _writeToOutput: (text: string) => void }
    process.stdout.write(prompt)
    output._writeToOutput = () => undefined
    terminal.question('', (answer) => {
      terminal.close()
      process.stdout.write('\n')
      resolve(answer)
    })
  })
}
