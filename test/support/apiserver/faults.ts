import { ApiError } from './errors.js';

/** Which requests an injected failure applies to; unset fields match everything. */
export interface FailOptions {
  /** 500 InternalError (default) or 429 TooManyRequests. */
  readonly status?: 500 | 429;
  readonly method?: string;
  /** Matched against the request path (without query). */
  readonly pathPrefix?: string;
  /** Retry-After for 429, seconds; default 1. */
  readonly retryAfterSeconds?: number;
}

interface FailRule extends FailOptions {
  remaining: number;
}

/** Hooks the server provides so faults reach its watch hub, store and listener. */
export interface FaultTargets {
  dropWatches(): number;
  compact(): void;
  refuse(ms: number): Promise<void>;
}

/**
 * Fault injection, usable in-process or over HTTP under `/_test/faults/...`
 * (control requests are never faulted themselves).
 */
export class Faults {
  private rules: FailRule[] = [];
  private latency = 0;

  constructor(private readonly targets: FaultTargets) {}

  /** Abruptly closes every open watch stream (no terminating chunk); returns how many. */
  dropWatches(): number {
    return this.targets.dropWatches();
  }

  /** Forgets all event history: the next watch or continue token from an older RV gets 410. */
  compactHistory(): void {
    this.targets.compact();
  }

  /** Fails the next `count` matching requests with a Status (500 by default). */
  failNext(count: number, options: FailOptions = {}): void {
    if (!Number.isInteger(count) || count < 1) throw new Error(`failNext: expected a positive integer count, got ${count}`);
    this.rules.push({ ...options, remaining: count });
  }

  /** Delay before every (non-control) response, ms; 0 turns it off. */
  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`setLatency: expected ms >= 0, got ${ms}`);
    this.latency = ms;
  }

  get latencyMs(): number {
    return this.latency;
  }

  /** Stops listening (and drops open connections) for `ms`, then listens on the same port again. */
  refuseConnections(ms: number): Promise<void> {
    return this.targets.refuse(ms);
  }

  /** Clears failures and latency. */
  reset(): void {
    this.rules = [];
    this.latency = 0;
  }

  /** The injected failure for this request, consuming one use of the first matching rule. */
  take(method: string, path: string): ApiError | undefined {
    const rule = this.rules.find((r) => (r.method === undefined || r.method.toUpperCase() === method) && (r.pathPrefix === undefined || path.startsWith(r.pathPrefix)));
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(this.rules.indexOf(rule), 1);
    if (rule.status === 429) {
      const after = rule.retryAfterSeconds ?? 1;
      return new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: after }, { 'Retry-After': String(after) });
    }
    return new ApiError(500, 'InternalError', 'Internal error occurred: injected fault', { causes: [{ message: 'injected fault' }] });
  }
}
