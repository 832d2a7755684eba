// A stand-in for an OpenTelemetry Collector's OTLP/HTTP metrics receiver (the Collector cannot
// run here). It keeps the wire contract: POST /v1/metrics, protobuf or JSON bodies, optional
// gzip, and an empty ExportMetricsServiceResponse in the request's encoding; and it can
// misbehave on demand like a real collector under trouble.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { flattenRequest } from './otlp/decode.js';
import type { ReceivedMetric } from './otlp/decode.js';
import { decodeProtobufRequest, loadOtlpSchema } from './otlp/schema.js';
import type { OtlpSchema } from './otlp/schema.js';

export type { ReceivedMetric, ReceivedPoint } from './otlp/decode.js';

/**
 * `ok` answers 200; `status` answers `code` (with `Retry-After` when given); `hang` reads the
 * request and never answers; `refuse` stops listening, so connections are refused.
 */
export type ReceiverMode =
  | { readonly kind: 'ok' }
  | { readonly kind: 'status'; readonly code: number; readonly retryAfterSeconds?: number }
  | { readonly kind: 'hang' }
  | { readonly kind: 'refuse' };

export interface ReceivedRequest {
  readonly contentType: string;
  readonly contentEncoding: string;
  readonly headers: IncomingHttpHeaders;
  /** Status answered, or `'hang'`. */
  readonly answer: number | 'hang';
  readonly resources: Record<string, unknown>[];
  readonly metrics: ReceivedMetric[];
  /** Set when the body could not be decoded (answered 400). */
  readonly error?: string;
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:PORT/v1/metrics` */
  readonly url: string;
  readonly port: number;
  setMode(mode: ReceiverMode): Promise<void>;
  readonly requests: ReceivedRequest[];
  /** Names of every metric received so far (decoded requests only). */
  metricNames(): Set<string>;
  /** Resource attributes of every ResourceMetrics received, in order. */
  resourceAttributes(): Record<string, unknown>[];
  /** Connections currently open to the receiver (e.g. requests it is hanging on). */
  openConnections(): number;
  /** Resolves when `pred()` holds; rejects after `timeoutMs`. Polls every 10 ms. */
  waitFor(pred: () => boolean, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Bodies above this are answered 413, like the Collector's default max_request_body_size (20 MiB). */
const MAX_BODY_BYTES = 20 * 1024 * 1024;

interface ReceiverState {
  readonly schema: OtlpSchema;
  readonly requests: ReceivedRequest[];
  mode: ReceiverMode;
}

type Decoded = Pick<ReceivedRequest, 'resources' | 'metrics'>;

function decode(state: ReceiverState, contentType: string, body: Buffer): Decoded {
  const request = contentType === 'application/x-protobuf' ? decodeProtobufRequest(state.schema, body) : (JSON.parse(body.toString('utf8')) as unknown);
  return flattenRequest(request);
}

/** Records one complete request and answers it as the current mode says. */
function answer(state: ReceiverState, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const contentEncoding = (req.headers['content-encoding'] ?? '').toLowerCase();
  const base = { contentType, contentEncoding, headers: req.headers };
  if (contentType !== 'application/x-protobuf' && contentType !== 'application/json') {
    state.requests.push({ ...base, answer: 415, resources: [], metrics: [], error: `unsupported content type ${contentType}` });
    return void res.writeHead(415).end();
  }
  let decoded: Decoded;
  try {
    decoded = decode(state, contentType, contentEncoding === 'gzip' ? gunzipSync(body) : body);
  } catch (err) {
    state.requests.push({ ...base, answer: 400, resources: [], metrics: [], error: String(err) });
    return void res.writeHead(400).end();
  }
  const mode = state.mode;
  if (mode.kind === 'hang') return void state.requests.push({ ...base, answer: 'hang', ...decoded });
  if (mode.kind === 'status') {
    state.requests.push({ ...base, answer: mode.code, ...decoded });
    const headers = mode.retryAfterSeconds === undefined ? {} : { 'retry-after': String(mode.retryAfterSeconds) };
    return void res.writeHead(mode.code, headers).end();
  }
  state.requests.push({ ...base, answer: 200, ...decoded });
  const payload = contentType === 'application/x-protobuf' ? Buffer.from(state.schema.response.encode(state.schema.response.create({})).finish()) : Buffer.from('{}');
  res.writeHead(200, { 'content-type': contentType, 'content-length': payload.length }).end(payload);
}

function createReceiverServer(state: ReceiverState): Server {
  return createServer((req, res) => {
    if (req.url?.split('?')[0] !== '/v1/metrics') return void res.writeHead(404).end();
    if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => (size > MAX_BODY_BYTES ? res.writeHead(413).end() : answer(state, req, res, Buffer.concat(chunks))));
  });
}

/** A listen/stop pair for one server on 127.0.0.1 that also tracks and drops open sockets. */
function socketControl(server: Server) {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        resolve(address !== null && typeof address === 'object' ? address.port : port);
      });
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  return { listen, stop, open: () => sockets.size };
}

export async function startOtlpReceiver(options: { mode?: ReceiverMode } = {}): Promise<OtlpReceiver> {
  const state: ReceiverState = { schema: loadOtlpSchema(), requests: [], mode: options.mode ?? { kind: 'ok' } };
  const control = socketControl(createReceiverServer(state));
  const port = await control.listen(0);
  if (state.mode.kind === 'refuse') await control.stop();
  const { requests } = state;
  return {
    url: `http://127.0.0.1:${port}/v1/metrics`,
    port,
    requests,
    async setMode(next) {
      const wasRefusing = state.mode.kind === 'refuse';
      state.mode = next;
      if (next.kind === 'refuse' && !wasRefusing) await control.stop();
      if (next.kind !== 'refuse' && wasRefusing) await control.listen(port);
    },
    metricNames: () => new Set(requests.flatMap((r) => r.metrics.map((m) => m.name))),
    resourceAttributes: () => requests.flatMap((r) => r.resources),
    openConnections: control.open,
    async waitFor(pred, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!pred()) {
        if (Date.now() > deadline) throw new Error(`otlp receiver: condition not met within ${timeoutMs}ms (${requests.length} requests received)`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: control.stop,
  };
}
