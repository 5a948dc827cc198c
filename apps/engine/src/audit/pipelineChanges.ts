import type {
  FlushResult,
  PipelineConfig,
  PipelineConfigPatch,
  PipelineView,
} from '@sluice/contract'
import type { Caller } from '../auth/caller'
import type { PipelineService } from '../trpc/services'
import { actorOf, type AuditLog } from './auditLog'

/**
 * The changes to pipelines, each written to the audit log once it took effect: the one path for
 * the tRPC procedures and the `/v1/pipelines` routes (which check the caller's role first).
 * Config edits record the config before and after.
 *
 * @example
 * await changes.update(caller, 'orders', { batchSize: 200 })
 */
export class PipelineChanges {
  readonly #pipelines: PipelineService
  readonly #audit: AuditLog

  constructor(pipelines: PipelineService, audit: AuditLog) {
    this.#pipelines = pipelines
    this.#audit = audit
  }

  async create(
    caller: Caller,
    name: string,
    config: PipelineConfig,
    paused: boolean,
  ): Promise<PipelineView> {
    const created = await this.#pipelines.create(name, config, paused)
    await this.#audit.record({
      ...actorOf(caller),
      action: 'pipeline.create',
      target: name,
      details: { after: created.config, paused },
    })
    return created
  }

  async update(caller: Caller, name: string, patch: PipelineConfigPatch): Promise<PipelineView> {
    const before = await this.#pipelines.get(name)
    const after = await this.#pipelines.update(name, patch)
    await this.#audit.record({
      ...actorOf(caller),
      action: 'pipeline.update',
      target: name,
      details: { before: before.config, after: after.config, patch },
    })
    return after
  }

  async delete(caller: Caller, name: string): Promise<void> {
    const before = await this.#pipelines.get(name)
    await this.#pipelines.delete(name)
    await this.#audit.record({
      ...actorOf(caller),
      action: 'pipeline.delete',
      target: name,
      details: { before: before.config, openFailures: before.openFailures },
    })
  }

  async pause(caller: Caller, name: string): Promise<PipelineView> {
    const view = await this.#pipelines.pause(name)
    await this.#audit.record({ ...actorOf(caller), action: 'pipeline.pause', target: name })
    return view
  }

  async resume(caller: Caller, name: string): Promise<PipelineView> {
    const view = await this.#pipelines.resume(name)
    await this.#audit.record({ ...actorOf(caller), action: 'pipeline.resume', target: name })
    return view
  }

  async flush(caller: Caller, name: string): Promise<FlushResult> {
    const result = await this.#pipelines.flush(name)
    await this.#audit.record({
      ...actorOf(caller),
      action: 'pipeline.flush',
      target: name,
      details: { ...result },
    })
    return result
  }
}
