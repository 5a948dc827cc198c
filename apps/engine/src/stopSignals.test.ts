import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { createLogger } from './logger'
import { stopOnSignals } from './stopSignals'

const windowMs = 150
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A drain that ends when the test says, counting what it was asked. */
function scene() {
  const messages: string[] = []
  const log = createLogger('debug', {
    write(line: string) {
      messages.push((JSON.parse(line) as { msg: string }).msg)
    },
  })
  const signals = new EventEmitter()
  const calls = { stop: 0, abandon: 0, exits: [] as number[] }
  let finishDrain: () => void = () => undefined
  let queued = 7
  stopOnSignals({
    drain: {
      stop: () => {
        calls.stop++
        return new Promise<void>((resolve) => (finishDrain = resolve))
      },
      queued: () => queued,
      abandon: () => {
        calls.abandon++
        const abandoned = queued
        queued = 0
        return abandoned
      },
    },
    log,
    exit: (code) => {
      calls.exits.push(code)
    },
    windowMs,
    source: signals as unknown as Pick<NodeJS.Process, 'on'>,
  })
  const send = (signal: NodeJS.Signals): void => {
    signals.emit(signal, signal)
  }
  return {
    messages,
    calls,
    send,
    finish: () => {
      finishDrain()
    },
  }
}

describe('stopOnSignals', () => {
  it('counts a signal relayed several times at once as one, and exits 0 after the drain', async () => {
    const { calls, send, finish, messages } = scene()
    send('SIGINT')
    send('SIGINT')
    send('SIGTERM')
    await sleep(windowMs / 3)
    send('SIGINT')
    expect(calls.stop).toBe(1)
    expect(calls.abandon).toBe(0)
    finish()
    await sleep(10)
    expect(calls.exits).toEqual([0])
    expect(messages.filter((m) => m.includes('counted once'))).toHaveLength(3)
  })

  it('says how to abandon a long drain; a later signal abandons the queued queries, exit 1', async () => {
    const { calls, send, finish, messages } = scene()
    send('SIGINT')
    await sleep(windowMs + 50)
    expect(messages).toContain('draining 7 queued queries, press Ctrl-C again to abandon them')
    send('SIGINT')
    send('SIGINT') // the relayed copy of the same press
    expect(calls.abandon).toBe(1)
    expect(messages.some((m) => m.startsWith('abandoned 7 queued queries'))).toBe(true)
    expect(calls.exits).toEqual([])
    finish()
    await sleep(10)
    expect(calls.exits).toEqual([1])
  })

  it('exits at once on a third signal while running batches still finish', async () => {
    const { calls, send } = scene()
    send('SIGTERM')
    await sleep(windowMs + 20)
    send('SIGTERM')
    await sleep(windowMs + 20)
    send('SIGTERM')
    expect(calls.abandon).toBe(1)
    expect(calls.exits).toEqual([1])
  })
})
