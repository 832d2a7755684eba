import { apiErrorFromResponse } from './errors.js';
import { createBackoff } from './backoff.js';
import { sleep } from '../../clock/index.js';
import { drain, readBytes, readText } from './transport.js';
import type { Instruments } from '../../telemetry/instruments.js';
import { noopInstruments } from '../../telemetry/noop-instruments.js';
import type { Logger } from '../../log/index.js';
import type { Clock } from '../../clock/index.js';
import type { HttpRequest, HttpResponse, Transport } from './transport.js';
import type { PageBuffer } from './page-buffer.js';

export type RestInstruments = Pick<Instruments, 'restClientRequests' | 'restClientRequestDuration'>;

/** Retry policy of one client. Reads (GET) retry 5xx and transport errors; every verb retries 429. */
export interface RetryPolicy {
  /** Retries after the first attempt; default 5; 0 = never retry. */
  readonly maxRetries: number;
  /** First backoff for 5xx/transport errors, ms; default 200, doubling. */
  readonly initialMs: number;
  /** Largest backoff, and largest honoured `Retry-After`, ms; default 30000. */
  readonly maxMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ maxRetries: 5, initialMs: 200, maxMs: 30_000 });

export interface Requester {
  readonly host: string;
  /** Sends `request`, retrying per policy; resolves with a 2xx response whose body is unread. */
  send(request: HttpRequest, what: string): Promise<HttpResponse>;
  /** `send` plus reading the body as JSON. */
  json<T>(request: HttpRequest, what: string): Promise<T>;
  /** `send` plus reading the body's bytes, for a caller that decodes them itself; with `into`, a view of that buffer (valid until its next use). */
  bytes(request: HttpRequest, what: string, into?: PageBuffer): Promise<Buffer>;
  /** `send` plus reading the body to its end without decoding it. */
  discard(request: HttpRequest, what: string): Promise<void>;
}

export interface RequesterOptions {
  readonly transport: Transport;
  readonly instruments?: RestInstruments;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly retry: RetryPolicy;
  readonly random?: () => number;
}

/**
 * Wraps the transport with client-go's request metrics (`rest_client_requests_total{code,
 * method,host}` with `<error>` for transport failures; `rest_client_request_duration_seconds
 * {verb,host}` to response headers) and bounded retries. Writes are not retried on 5xx or
 * transport errors: the write may have happened, so the caller decides.
 */
export function createRequester(options: RequesterOptions): Requester {
  const { transport, clock, retry } = options;
  const instruments: RestInstruments = options.instruments ?? noopInstruments();
  const host = transport.host;
  const record = (method: string, code: string, startedAt: number): void => {
    instruments.restClientRequests.add(1, { code, method, host });
    instruments.restClientRequestDuration.record((clock.now() - startedAt) / 1000, { verb: method, host });
  };
  async function attempt(request: HttpRequest): Promise<HttpResponse | { error: unknown }> {
    const startedAt = clock.now();
    try {
      const response = await transport.send(request);
      record(request.method, String(response.status), startedAt);
      return response;
    } catch (error) {
      record(request.method, '<error>', startedAt);
      return { error };
    }
  }
  async function send(request: HttpRequest, what: string): Promise<HttpResponse> {
    const backoff = createBackoff({ initialMs: retry.initialMs, maxMs: retry.maxMs, factor: 2, jitter: 0.1, resetAfterMs: 0 }, options.random);
    const idempotent = request.method === 'GET';
    for (let tries = 0; ; tries += 1) {
      const result = await attempt(request);
      const canRetry = tries < retry.maxRetries && request.signal?.aborted !== true;
      if ('error' in result) {
        if (!idempotent || !canRetry) throw new Error(`${what}: ${describe(result.error)}`, { cause: result.error });
        await wait(backoff.next(clock.now()), what, describe(result.error));
        continue;
      }
      if (result.status >= 200 && result.status < 300) return result;
      const error = apiErrorFromResponse(result.status, await readText(result.body).catch(() => ''), header(result, 'retry-after'), what);
      const retriable = result.status === 429 || (idempotent && result.status >= 500);
      if (!retriable || !canRetry) throw error;
      const delay = error.retryAfterSeconds !== undefined ? Math.min(error.retryAfterSeconds * 1000, retry.maxMs) : backoff.next(clock.now());
      await wait(delay, what, `${result.status} ${error.reason}`);
    }
    async function wait(ms: number, label: string, why: string): Promise<void> {
      options.logger.debug({ request: label, delayMs: Math.round(ms), why }, 'retrying API request');
      await sleep(clock, ms, request.signal);
    }
  }
  return {
    host,
    send,
    async json<T>(request: HttpRequest, what: string): Promise<T> {
      const response = await send(request, what);
      const text = await readText(response.body);
      return (text === '' ? {} : JSON.parse(text)) as T;
    },
    async bytes(request: HttpRequest, what: string, into?: PageBuffer): Promise<Buffer> {
      return readBytes((await send(request, what)).body, into);
    },
    async discard(request: HttpRequest, what: string): Promise<void> {
      await drain((await send(request, what)).body);
    },
  };
}

function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${error.message}` : error.message;
  }
  return String(error);
}
