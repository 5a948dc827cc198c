import { once } from 'node:events'
import type { IncomingMessage } from 'node:http'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { exportTraceServiceRequest } from './otlpTraceProto'

/*
 * Test support: a real OTLP/HTTP trace receiver (what Jaeger listens for on 4318), decoding the
 * protobuf body of each POST /v1/traces into plain spans.
 */

type AttributeValue = string | number | boolean | AttributeValue[]

/** A span as the receiver decoded it. */
export interface ReceivedSpan {
  readonly traceId: string
  readonly spanId: string
  /** Empty for a root span. */
  readonly parentSpanId: string
  readonly name: string
  /** OTLP SpanKind: 1 INTERNAL, 2 SERVER, 3 CLIENT. */
  readonly kind: number
  readonly scope: string
  readonly attributes: Readonly<Record<string, AttributeValue>>
  readonly resource: Readonly<Record<string, AttributeValue>>
  readonly links: readonly { traceId: string; spanId: string }[]
  /** OTLP StatusCode: 0 UNSET, 1 OK, 2 ERROR. */
  readonly status: { readonly code: number; readonly message: string }
}

interface WireAnyValue {
  stringValue?: string
  boolValue?: boolean
  intValue?: string
  doubleValue?: number
  arrayValue?: { values?: WireAnyValue[] }
}
interface WireKeyValue {
  key: string
  value?: WireAnyValue
}
interface WireSpan {
  traceId?: string
  spanId?: string
  parentSpanId?: string
  name?: string
  kind?: number
  attributes?: WireKeyValue[]
  links?: { traceId?: string; spanId?: string }[]
  status?: { code?: number; message?: string }
}
interface WireRequest {
  resourceSpans?: {
    resource?: { attributes?: WireKeyValue[] }
    scopeSpans?: { scope?: { name?: string }; spans?: WireSpan[] }[]
  }[]
}

function anyValue(value: WireAnyValue | undefined): AttributeValue {
  if (!value) return ''
  if (value.stringValue !== undefined) return value.stringValue
  if (value.boolValue !== undefined) return value.boolValue
  if (value.intValue !== undefined) return Number(value.intValue)
  if (value.doubleValue !== undefined) return value.doubleValue
  return (value.arrayValue?.values ?? []).map(anyValue)
}

function attributes(list: WireKeyValue[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]))
}

const hex = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('hex')

/** Decodes an OTLP/HTTP protobuf trace export body. */
export function decodeTraceRequest(body: Uint8Array): ReceivedSpan[] {
  const message = exportTraceServiceRequest.decode(body)
  const request = exportTraceServiceRequest.toObject(message, {
    longs: String,
    bytes: String,
    oneofs: false,
  }) as WireRequest
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = attributes(resourceSpans.resource?.attributes)
    return (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans) =>
      (scopeSpans.spans ?? []).map((span) => ({
        traceId: hex(span.traceId),
        spanId: hex(span.spanId),
        parentSpanId: hex(span.parentSpanId),
        name: span.name ?? '',
        kind: span.kind ?? 0,
        scope: scopeSpans.scope?.name ?? '',
        attributes: attributes(span.attributes),
        resource,
        links: (span.links ?? []).map((link) => ({
          traceId: hex(link.traceId),
          spanId: hex(link.spanId),
        })),
        status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
      })),
    )
  })
}

/** A receiver listening on 127.0.0.1. */
export interface OtlpTraceReceiver {
  /** Base URL to give the exporter, e.g. `http://127.0.0.1:43123`. */
  readonly endpoint: string
  readonly spans: readonly ReceivedSpan[]
  /** Content types of the requests received, to check the wire format. */
  readonly contentTypes: readonly string[]
  /** Resolves once `predicate` holds for the spans received, or rejects after `timeoutMs`. */
  waitFor(predicate: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const body = Buffer.concat(chunks)
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body
}

/** Starts an OTLP/HTTP trace receiver on 127.0.0.1 and a free port. */
export async function startOtlpTraceReceiver(): Promise<OtlpTraceReceiver> {
  const spans: ReceivedSpan[] = []
  const contentTypes: string[] = []
  const waiters = new Set<() => void>()
  const server = createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/v1/traces') {
      response.writeHead(404).end()
      return
    }
    readBody(request)
      .then((body) => {
        contentTypes.push(request.headers['content-type'] ?? '')
        spans.push(...decodeTraceRequest(body))
        // An empty ExportTraceServiceResponse: full success.
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end()
        for (const waiter of waiters) waiter()
      })
      .catch((error: unknown) => {
        response.writeHead(400).end(String(error))
      })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo

  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    waitFor(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(spans)) return
          cleanup()
          resolve()
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(
            new Error(
              `OTLP receiver: expected spans did not arrive within ${timeoutMs} ms (got ${spans.map((s) => s.name).join(', ') || 'none'})`,
            ),
          )
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      })
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve()
        }),
      )
    },
  }
}
