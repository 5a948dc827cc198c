import { createHash } from 'node:crypto'

/*
 * Where an install's async ingest lives on NATS. Everything is named after the installation id
 * (see database/installationId.ts), so two Sluice installs on one NATS never share a stream,
 * a subject or a consumer.
 */

/** The stream, its subjects (one per pipeline) and the durable consumer every engine shares. */
export interface IngestStreamNames {
  readonly stream: string
  /** `sluice.ingest.<installation>`: a pipeline's requests go to `<prefix>.<pipeline>`. */
  readonly subjectPrefix: string
  readonly consumer: string
}

/**
 * @example
 * ingestStreamNames('3f2a9c1e7b6d4e0f8a1b2c3d4e5f6a7b').stream // 'SLUICE_INGEST_3f2a9c1e7b6d4e0f8a1b2c3d4e5f6a7b'
 */
export function ingestStreamNames(installationId: string): IngestStreamNames {
  // Stream names and subject tokens may not hold '.', '*', '>', '/' or white space.
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(installationId)) {
    throw new Error(`installation id "${installationId}" is not a valid NATS name`)
  }
  return {
    stream: `SLUICE_INGEST_${installationId}`,
    subjectPrefix: `sluice.ingest.${installationId}`,
    consumer: 'sluice-ingest',
  }
}

/** Pipeline names are letters, digits, `_` and `-` (contract), so each is one subject token. */
export function subjectOf(names: IngestStreamNames, pipeline: string): string {
  return `${names.subjectPrefix}.${pipeline}`
}

export function pipelineOf(names: IngestStreamNames, subject: string): string | undefined {
  const prefix = `${names.subjectPrefix}.`
  return subject.startsWith(prefix) ? subject.slice(prefix.length) : undefined
}

/**
 * The `Nats-Msg-Id` of a request: keys are scoped per pipeline (and per install, so request ids
 * of two installs differ too), and hashing keeps any key (inner spaces, 255 characters) a short,
 * header-safe id.
 */
export function messageIdOf(names: IngestStreamNames, pipeline: string, key: string): string {
  return createHash('sha256')
    .update(names.stream)
    .update('\u0000')
    .update(pipeline)
    .update('\u0000')
    .update(key)
    .digest('hex')
}

/**
 * A request's id: its stream sequence (a duplicate publish's PubAck carries the original's, so
 * the same key gets the same id, and `find` reads the message by it) and the first 16 hex digits
 * of its message id, so an id outlives nothing it should not: after the stream was made anew, an
 * old id finds no request rather than another one.
 */
export function requestIdOf(sequence: number, messageId: string): string {
  return `${sequence}-${messageId.slice(0, 16)}`
}

/** The sequence and message id prefix of a request id this log made, else undefined. */
export function parseRequestId(
  requestId: string,
): { readonly sequence: number; readonly messageIdPrefix: string } | undefined {
  const match = /^([1-9][0-9]{0,15})-([0-9a-f]{16})$/.exec(requestId)
  if (!match?.[1] || !match[2]) return undefined
  const sequence = Number(match[1])
  return Number.isSafeInteger(sequence) ? { sequence, messageIdPrefix: match[2] } : undefined
}
