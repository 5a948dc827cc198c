import { metrics, trace } from '@opentelemetry/api'
import pg from 'pg'
import type { BreakerSettings, BreakerState, BreakerView } from '@sluice/contract'
import type { QueryError, QueryResult } from '@sluice/pipeline-core'
import type { Logger } from '../logger'

/*
 * Errors that say the target cannot be reached, not that a query was wrong: a connection that
 * broke or got no answer, a connect refused while the server shuts down or starts up, any
 * connection exception (class 08). Not 53300 (too many connections): that server is up and
 * answering; opening the breaker would turn a passing crowd into an outage until a probe (which
 * needs a free connection slot too) gets through.
 */
const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03'])

/** Whether a failed result's error says the target could not be reached. */
export function isConnectionFailure(error: QueryError | undefined): boolean {
  const code = error?.code
  if (code === undefined) return false
  return code === 'CONNECTION_LOST' || code.startsWith('08') || CONNECTION_SQLSTATES.has(code)
}

const TRANSITIONS_KEPT = 20
const tracer = trace.getTracer('@sluice/engine')
const meter = metrics.getMeter('@sluice/engine')
const rejectedCounter = meter.createCounter('sluice.target.breaker.rejected', {
  description: 'Queries failed at once (TARGET_UNAVAILABLE) because their target was unavailable',
})
const stateNumbers: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 }
const breakers = new Set<TargetBreaker>()
meter
  .createObservableGauge('sluice.target.breaker.state', {
    description: "A target's circuit breaker: 0 closed, 1 half open, 2 open",
  })
  .addCallback((result) => {
    for (const breaker of breakers)
      result.observe(stateNumbers[breaker.state], { 'sluice.target': breaker.target })
  })

/**
 * One target's circuit breaker. Closed, it watches the results of every pipeline on the target:
 * `failureThreshold` connection failures in a row, or a share of `failureRate` among the last
 * `windowSize` results, open it. Open, `refusal()` gives the error every new query fails with at
 * once (TARGET_UNAVAILABLE), and every `probeIntervalMs` it goes half open and one probe connects
 * to the target: a success closes it, a failure opens it again. Each change is logged, kept in
 * `view().transitions`, counted in metrics and recorded as a span event.
 *
 * @example
 * const breaker = new TargetBreaker('analytics', url, settings, log)
 * const refused = breaker.refusal() // undefined while closed
 * breaker.observe(results)
 */
export class TargetBreaker {
  readonly target: string
  readonly #url: string
  readonly #settings: BreakerSettings
  readonly #log: Logger
  #state: BreakerState = 'closed'
  #reason: string | null = null
  #since: string | null = null
  #rejected = 0
  #inRow = 0
  /** The last `windowSize` results: true where the target could not be reached. */
  readonly #window: boolean[] = []
  #windowFailures = 0
  readonly #transitions: BreakerView['transitions'] = []
  #probeTimer: NodeJS.Timeout | undefined
  #stopped = false

  constructor(target: string, url: string, settings: BreakerSettings, log: Logger) {
    this.target = target
    this.#url = url
    this.#settings = settings
    this.#log = log
    breakers.add(this)
  }

  get state(): BreakerState {
    return this.#state
  }

  /** The error a new query fails with now, or undefined while the breaker is closed. */
  refusal(count = 1): QueryError | undefined {
    if (this.#state === 'closed') return undefined
    this.#rejected += count
    rejectedCounter.add(count, { 'sluice.target': this.target })
    trace.getActiveSpan()?.addEvent('sluice.breaker.rejected', {
      'sluice.target': this.target,
      'sluice.breaker.state': this.#state,
    })
    return {
      code: 'TARGET_UNAVAILABLE',
      message: `target "${this.target}" is unavailable (circuit breaker ${this.#state.replace('_', ' ')} since ${this.#since ?? 'now'}: ${this.#reason ?? 'connection failures'}); not run, recorded to retry once it is back`,
    }
  }

  /** Counts results of queries that ran against the target. */
  observe(results: readonly QueryResult[]): void {
    if (this.#state !== 'closed') return
    const { failureThreshold, failureRate, windowSize } = this.#settings
    for (const result of results) {
      const failed = !result.success && isConnectionFailure(result.error)
      if (!failed && result.status !== 'succeeded') continue
      this.#window.push(failed)
      if (failed) this.#windowFailures++
      if (this.#window.length > windowSize && this.#window.shift() === true) this.#windowFailures--
      this.#inRow = failed ? this.#inRow + 1 : 0
      if (!failed) continue
      const reason = result.error?.message ?? 'connection failure'
      if (this.#inRow >= failureThreshold) {
        this.#open(`${String(this.#inRow)} connection failures in a row; last: ${reason}`)
        return
      }
      if (
        this.#window.length >= windowSize &&
        this.#windowFailures / this.#window.length >= failureRate
      ) {
        this.#open(
          `${String(this.#windowFailures)} of the last ${String(this.#window.length)} queries could not reach the target; last: ${reason}`,
        )
        return
      }
    }
  }

  view(): BreakerView {
    return {
      state: this.#state,
      reason: this.#state === 'closed' ? null : this.#reason,
      since: this.#since,
      rejected: this.#rejected,
      transitions: [...this.#transitions],
      settings: { ...this.#settings },
    }
  }

  /** Stops probing (the engine is stopping). */
  stop(): void {
    this.#stopped = true
    clearTimeout(this.#probeTimer)
    breakers.delete(this)
  }

  #open(reason: string): void {
    this.#rejected = 0
    this.#move('open', reason)
    this.#scheduleProbe()
  }

  #scheduleProbe(): void {
    if (this.#stopped) return
    this.#probeTimer = setTimeout(() => void this.#probe(), this.#settings.probeIntervalMs)
    this.#probeTimer.unref()
  }

  async #probe(): Promise<void> {
    if (this.#stopped) return
    this.#move('half_open', 'probing the target')
    const client = new pg.Client({
      connectionString: this.#url,
      connectionTimeoutMillis: this.#settings.probeTimeoutMs,
      application_name: 'sluice-breaker-probe',
    })
    client.on('error', () => undefined)
    try {
      await client.connect()
      await client.query('SELECT 1')
      this.#inRow = 0
      this.#window.length = 0
      this.#windowFailures = 0
      this.#move('closed', 'a probe connected')
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      this.#move('open', `a probe failed: ${message.split(this.#url).join('(target url)')}`)
      this.#scheduleProbe()
    } finally {
      await client.end().catch(() => undefined)
    }
  }

  #move(to: BreakerState, reason: string): void {
    const from = this.#state
    if (from === to) return
    const at = new Date().toISOString()
    this.#state = to
    this.#since = at
    // Half open keeps the reason it opened for; the banner goes on saying why.
    if (to === 'open') this.#reason = reason
    if (to === 'closed') this.#reason = null
    this.#transitions.push({ at, from, to, reason })
    if (this.#transitions.length > TRANSITIONS_KEPT) this.#transitions.shift()
    const level = to === 'open' && from === 'closed' ? 'warn' : 'info'
    this.#log[level]({ target: this.target, from, to, reason }, `target circuit breaker ${to}`)
    const span = tracer.startSpan('sluice.target.breaker', {
      attributes: { 'sluice.target': this.target },
    })
    span.addEvent(`sluice.breaker.${to}`, {
      'sluice.target': this.target,
      'sluice.breaker.from': from,
      'sluice.breaker.reason': reason,
    })
    span.end()
  }
}
