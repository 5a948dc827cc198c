import type { Socket } from 'node:net'

interface Pending {
  /** `process.hrtime.bigint()` at which it may go out. */
  readonly due: bigint
  /** The bytes, or undefined for the end of the stream (passed on as `end()`). */
  readonly data: Buffer | undefined
}

/** Polling takes over from the timer this close to the due time (Node's timers are ~1 ms coarse). */
const pollWithinNs = 2_000_000n
/** The timer wakes this much before the due time, to leave the polling loop its share. */
const wakeEarlyMs = 1.5

/**
 * Holds what is bound for each socket until its due time, then writes it. Every socket has its
 * own FIFO and an item is never due before the one ahead of it, so release order is arrival
 * order even when the delay changes mid-stream. Due times are microsecond-precise: a timer
 * covers the bulk of a wait, then `setImmediate` polls `process.hrtime` for the rest, which
 * costs CPU only in the last ~2 ms before each release.
 */
export class PacedRelease {
  readonly #queues = new Map<Socket, Pending[]>()
  #wakeAt: bigint | undefined
  #timer: NodeJS.Timeout | undefined
  #immediate: NodeJS.Immediate | undefined

  /** Writes `data` to `to` (ends it, for undefined) after `delayNs`, and after everything queued for `to`. */
  send(to: Socket, data: Buffer | undefined, delayNs: bigint): void {
    const queue = this.#queues.get(to)
    if (queue === undefined && delayNs <= 0n) {
      deliver(to, data)
      return
    }
    const now = process.hrtime.bigint()
    const earliest = now + delayNs
    const behind = queue?.at(-1)?.due
    const due = behind !== undefined && behind > earliest ? behind : earliest
    if (queue) queue.push({ due, data })
    else this.#queues.set(to, [{ due, data }])
    this.#wake(due, now)
  }

  /** Drops what was still bound for `socket` (it closed). */
  forget(socket: Socket): void {
    this.#queues.delete(socket)
  }

  /** Drops everything and stops the loop. */
  stop(): void {
    this.#queues.clear()
    this.#cancel()
  }

  #release(): void {
    this.#cancel()
    const now = process.hrtime.bigint()
    let next: bigint | undefined
    for (const [socket, queue] of this.#queues) {
      let released = 0
      for (const item of queue) {
        if (item.due > now) {
          if (next === undefined || item.due < next) next = item.due
          break
        }
        deliver(socket, item.data)
        released++
      }
      if (released === queue.length) this.#queues.delete(socket)
      else if (released > 0) queue.splice(0, released)
    }
    if (next !== undefined) this.#wake(next, now)
  }

  /** Makes sure the loop runs by `at`. */
  #wake(at: bigint, now: bigint): void {
    if (this.#wakeAt !== undefined && this.#wakeAt <= at) return
    this.#cancel()
    this.#wakeAt = at
    const run = (): void => {
      this.#release()
    }
    if (at - now > pollWithinNs) {
      this.#timer = setTimeout(run, Math.floor(Number(at - now) / 1e6 - wakeEarlyMs))
    } else {
      this.#immediate = setImmediate(run)
    }
  }

  #cancel(): void {
    clearTimeout(this.#timer)
    clearImmediate(this.#immediate)
    this.#timer = undefined
    this.#immediate = undefined
    this.#wakeAt = undefined
  }
}

function deliver(to: Socket, data: Buffer | undefined): void {
  if (to.destroyed) return
  if (data === undefined) to.end()
  else to.write(data)
}
