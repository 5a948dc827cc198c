import type { Logger } from './logger'

/** What a signal stops: the engine's drain, seen from the signal handler. */
export interface Drain {
  /** Refuses new work, runs what is queued, answers and records everything, then stops. */
  stop(): Promise<void>
  /** Queries still queued (not yet running). */
  queued(): number
  /** Answers every queued query failed (ABANDONED, recorded) instead of running it; how many. */
  abandon(): number
}

/** Options of `stopOnSignals`. */
export interface StopOnSignalsOptions {
  readonly drain: Drain
  readonly log: Logger
  /** Runs after the drain (telemetry flush). */
  readonly finish?: () => Promise<void>
  readonly exit?: (code: number) => void
  /**
   * Signals this close together count as one: a terminal's Ctrl-C reaches the engine and every
   * process relaying it (npm, turbo, tsx) at once. Also how long the drain runs before it says
   * how to abandon it. Default 1000 ms.
   */
  readonly windowMs?: number
  /** Where the signals come from. Default `process`. */
  readonly source?: Pick<NodeJS.Process, 'on'>
}

/** Default of `StopOnSignalsOptions.windowMs`. */
export const SIGNAL_WINDOW_MS = 1000

/**
 * SIGINT / SIGTERM stop the engine: the first drains (exit 0 once everything queued ran and is
 * answered), copies of it arriving within `windowMs` are the same signal. If the drain still runs
 * after `windowMs` it says so: `draining N queued queries, press Ctrl-C again to abandon them`.
 * A signal after that abandons the queued queries (each answered failed with code ABANDONED and
 * recorded) and waits for the running ones (exit 1: not everything ran); one more exits at once.
 *
 * @example
 * stopOnSignals({ drain: { stop: () => engine.stop(), queued, abandon }, log, finish: () => telemetry.shutdown() })
 */
export function stopOnSignals(options: StopOnSignalsOptions): void {
  const { drain, log } = options
  const exit = options.exit ?? ((code: number) => process.exit(code))
  const windowMs = options.windowMs ?? SIGNAL_WINDOW_MS
  let phase: 'running' | 'draining' | 'abandoned' | 'drained' = 'running'
  let quietUntil = 0

  const drainThenExit = async (): Promise<void> => {
    try {
      await drain.stop()
      const abandoned = phase === 'abandoned'
      phase = 'drained'
      await options.finish?.()
      exit(abandoned ? 1 : 0)
    } catch (error) {
      log.error({ err: error }, 'shutdown failed')
      exit(1)
    }
  }

  const onSignal = (signal: NodeJS.Signals): void => {
    const now = performance.now()
    if (now < quietUntil) {
      log.debug({ signal }, 'the same signal again (relayed): counted once')
      return
    }
    quietUntil = now + windowMs
    switch (phase) {
      case 'running': {
        phase = 'draining'
        log.info({ signal }, `${signal}: stopping — refusing new work, running what is queued`)
        setTimeout(() => {
          if (phase !== 'draining') return
          const queued = drain.queued()
          log.warn(
            { queued },
            queued > 0
              ? `draining ${String(queued)} queued queries, press Ctrl-C again to abandon them`
              : 'waiting for the running queries to finish, press Ctrl-C again to abandon the drain',
          )
        }, windowMs).unref()
        void drainThenExit()
        return
      }
      case 'draining': {
        phase = 'abandoned'
        const abandoned = drain.abandon()
        log.warn(
          { signal, abandoned },
          `abandoned ${String(abandoned)} queued queries: each is answered failed (code ABANDONED) and recorded in the failed-queries store; ` +
            'waiting for the running ones, press Ctrl-C again to exit at once',
        )
        return
      }
      case 'abandoned':
        log.error({ signal }, 'exiting without waiting for the running queries')
        exit(1)
        return
      case 'drained':
        log.debug({ signal }, 'already drained: finishing')
    }
  }
  const source = options.source ?? process
  source.on('SIGTERM', onSignal)
  source.on('SIGINT', onSignal)
}
