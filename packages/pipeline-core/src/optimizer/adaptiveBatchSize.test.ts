import { describe, expect, it } from 'vitest'
import { AdaptiveBatchSize } from './adaptiveBatchSize'

/** A database whose batches cost a fixed 5 ms plus 0.1 ms per query. */
const latency = (size: number): number => 5 + 0.1 * size

function run(controller: AdaptiveBatchSize, batches: number, cost = latency): number[] {
  const sizes: number[] = []
  for (let i = 0; i < batches; i++) {
    const size = controller.current()
    controller.observe(size, cost(size))
    sizes.push(controller.current())
  }
  return sizes
}

describe('AdaptiveBatchSize', () => {
  it('grows full, fast batches towards the largest size that keeps latency under the target', () => {
    const controller = new AdaptiveBatchSize({ min: 10, max: 10_000, targetLatencyMs: 50 }, 50)
    run(controller, 40)
    const size = controller.current()
    expect(latency(size)).toBeLessThan(50)
    // Far larger than where it started: fewer round trips per query.
    expect(size).toBeGreaterThan(300)
  })

  it('never doubles more than once per batch', () => {
    const controller = new AdaptiveBatchSize({ min: 1, max: 1_000_000, targetLatencyMs: 1_000 }, 10)
    const sizes = run(controller, 5, () => 1)
    expect(sizes).toEqual([20, 40, 80, 160, 320])
  })

  it('shrinks at once when a batch takes longer than the target', () => {
    const controller = new AdaptiveBatchSize({ min: 10, max: 10_000, targetLatencyMs: 50 }, 2_000)
    controller.observe(2_000, latency(2_000))
    expect(controller.current()).toBeLessThanOrEqual(1_500)
    run(controller, 10)
    expect(latency(controller.current())).toBeLessThan(50)
  })

  it('follows the database when it slows down', () => {
    const controller = new AdaptiveBatchSize({ min: 10, max: 10_000, targetLatencyMs: 50 }, 100)
    run(controller, 30)
    const fast = controller.current()
    const slow = (size: number): number => 5 + 1 * size
    run(controller, 30, slow)
    expect(controller.current()).toBeLessThan(fast / 5)
    expect(slow(controller.current())).toBeLessThan(50)
  })

  it('stays within [min, max]', () => {
    const controller = new AdaptiveBatchSize({ min: 20, max: 200, targetLatencyMs: 50 }, 1_000)
    expect(controller.current()).toBe(200)
    run(controller, 20, () => 0.1)
    expect(controller.current()).toBe(200)
    run(controller, 20, () => 10_000)
    expect(controller.current()).toBe(20)
  })

  it('does not grow on batches the queue could not fill', () => {
    const controller = new AdaptiveBatchSize({ min: 1, max: 1_000, targetLatencyMs: 50 }, 100)
    controller.observe(3, 1)
    controller.observe(10, 2)
    expect(controller.current()).toBe(100)
  })

  it('ignores impossible observations and rejects bad configuration', () => {
    const controller = new AdaptiveBatchSize({ min: 1, max: 1_000, targetLatencyMs: 50 }, 100)
    controller.observe(0, 10)
    controller.observe(100, Number.NaN)
    controller.observe(100, -1)
    expect(controller.current()).toBe(100)
    expect(() => new AdaptiveBatchSize({ min: 0, max: 10, targetLatencyMs: 5 }, 1)).toThrow(/min/)
    expect(() => new AdaptiveBatchSize({ min: 5, max: 4, targetLatencyMs: 5 }, 1)).toThrow(/max/)
    expect(() => new AdaptiveBatchSize({ min: 1, max: 4, targetLatencyMs: 0 }, 1)).toThrow(
      /targetLatencyMs/,
    )
  })
})
