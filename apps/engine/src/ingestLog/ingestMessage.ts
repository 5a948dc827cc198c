import { randomUUID } from 'node:crypto'
import type { IngestRequest } from './ingestLog'

/** A request as the JetStream log stores it: one JSON message. */
export interface IngestMessage extends IngestRequest {
  readonly acceptedAt: Date
  /**
   * Made per `append` call: when a publish is retried after its PubAck was lost, a "duplicate"
   * PubAck pointing at a message with this same id is the call's own message, not someone else's.
   */
  readonly appendId: string
}

interface StoredShape {
  readonly v: 1
  readonly pipeline: string
  readonly key: string
  readonly bodyHash: string
  readonly body: unknown
  readonly acceptedAt: string
  readonly appendId: string
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function newIngestMessage(request: IngestRequest, acceptedAt: Date): IngestMessage {
  return { ...request, acceptedAt, appendId: randomUUID() }
}

export function encodeIngestMessage(message: IngestMessage): Uint8Array {
  const stored: StoredShape = {
    v: 1,
    pipeline: message.pipeline,
    key: message.key,
    bodyHash: message.bodyHash,
    body: message.body,
    acceptedAt: message.acceptedAt.toISOString(),
    appendId: message.appendId,
  }
  return encoder.encode(JSON.stringify(stored))
}

/** The stored request, or undefined for a message this log did not write. */
export function decodeIngestMessage(data: Uint8Array): IngestMessage | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(decoder.decode(data))
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const stored = parsed as Partial<StoredShape>
  if (
    stored.v !== 1 ||
    typeof stored.pipeline !== 'string' ||
    typeof stored.key !== 'string' ||
    typeof stored.bodyHash !== 'string' ||
    typeof stored.acceptedAt !== 'string' ||
    typeof stored.appendId !== 'string' ||
    !('body' in stored)
  ) {
    return undefined
  }
  const acceptedAt = new Date(stored.acceptedAt)
  if (Number.isNaN(acceptedAt.getTime())) return undefined
  return {
    pipeline: stored.pipeline,
    key: stored.key,
    bodyHash: stored.bodyHash,
    body: stored.body,
    acceptedAt,
    appendId: stored.appendId,
  }
}
