import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'

/** One value in COPY's text format (backslash escapes; null as \N). */
function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N'
  if (
    typeof value !== 'string' &&
    typeof value !== 'number' &&
    typeof value !== 'boolean' &&
    typeof value !== 'bigint'
  ) {
    throw new Error(`copyRows takes scalar values only, got ${typeof value}`)
  }
  return String(value).replace(
    /[\\\t\n\r]/g,
    (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c,
  )
}

/**
 * Streams rows into `COPY <table> (<columns>) FROM STDIN` (text format) on the given client.
 *
 * @example
 * await copyRows(client, 'items (id, name)', [[1, 'a'], [2, 'b']])
 */
export async function copyRows(
  client: pg.Client,
  tableAndColumns: string,
  rows: Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>,
): Promise<void> {
  async function* lines(): AsyncGenerator<string> {
    let buffer = ''
    for await (const row of rows) {
      buffer += row.map(copyField).join('\t') + '\n'
      if (buffer.length > 65_536) {
        yield buffer
        buffer = ''
      }
    }
    if (buffer) yield buffer
  }
  const stream = client.query(copyFrom(`COPY ${tableAndColumns} FROM STDIN`))
  await pipeline(Readable.from(lines()), stream)
}

/** Splits [0, size) into consecutive ranges of at most `chunk`. */
export function* chunks(size: number, chunk: number): Generator<[number, number]> {
  for (let start = 0; start < size; start += chunk) yield [start, Math.min(size, start + chunk)]
}
