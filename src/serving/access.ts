import { createHash } from 'node:crypto';
import { createLimiter, createTtlCache } from './limits.js';

/** The user a TokenReview names (`authentication.k8s.io/v1` `UserInfo`). */
export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export type TokenResult = { readonly authenticated: true; readonly user: UserInfo } | { readonly authenticated: false };

/** A SubjectAccessReview's `nonResourceAttributes`. */
export interface NonResourceAttributes {
  readonly path: string;
  readonly verb: string;
}

/** The two API calls behind the filter; `src/kube/auth` implements them with the controller's client. Rejections are API or transport errors. */
export interface AccessReviewer {
  reviewToken(token: string, signal: AbortSignal): Promise<TokenResult>;
  reviewAccess(user: UserInfo, attributes: NonResourceAttributes, signal: AbortSignal): Promise<{ readonly allowed: boolean; readonly reason: string }>;
}

/** What to answer: pass the request on, or an error status with controller-runtime's body. */
export type AccessOutcome =
  | { readonly kind: 'allow'; readonly user: string }
  | { readonly kind: 'refuse'; readonly status: 401 | 403 | 500; readonly body: string };

export interface AccessFilterOptions {
  readonly reviewer: AccessReviewer;
  /** Clock seam, ms; default `Date.now`. */
  readonly now?: () => number;
  /** Called for review calls that failed (the 500s), for a rate-limited log line. */
  readonly onError?: (what: 'authentication' | 'authorization', err: unknown) => void;
  /** TokenReview results, both ways, ms. Default 60000 (controller-runtime's CacheTTL). */
  readonly tokenTtlMs?: number;
  /** Allowed decisions, ms. Default 300000 (controller-runtime). */
  readonly allowTtlMs?: number;
  /** Denied decisions, ms. Default 30000 (controller-runtime). */
  readonly denyTtlMs?: number;
  /** Bound on one review, waiting for a slot included, ms. Default 10000 (controller-runtime's TokenAccessReviewTimeout). */
  readonly reviewTimeoutMs?: number;
  /** Review calls in flight at once, both kinds together. Default 4. */
  readonly concurrency?: number;
  /** Review calls waiting for a slot; beyond it a request gets 500 at once. Default 64. */
  readonly maxQueued?: number;
  /** Entries per cache; the oldest go first. Default 4096. */
  readonly maxCacheEntries?: number;
}

export interface AccessFilter {
  /** Decides one request from its `Authorization` header, method and URL path. Never rejects. */
  check(authorization: string | undefined, method: string, path: string): Promise<AccessOutcome>;
}

const UNAUTHORIZED: AccessOutcome = { kind: 'refuse', status: 401, body: 'Unauthorized\n' };
const AUTHENTICATION_FAILED: AccessOutcome = { kind: 'refuse', status: 500, body: 'Authentication failed\n' };

/** The token of `Authorization: Bearer <token>`, as Kubernetes' bearertoken authenticator reads it; undefined for anything else. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const parts = header.trim().split(' ');
  if (parts.length < 2 || parts[0]?.toLowerCase() !== 'bearer') return undefined;
  const token = parts[1] ?? '';
  return token === '' ? undefined : token;
}

/**
 * controller-runtime's `WithAuthenticationAndAuthorization` for one endpoint: a bearer token,
 * checked with a TokenReview, then a SubjectAccessReview for the path and the lower-case method.
 * Bodies as `http.Error` writes them. Results are cached (tokens 1 min, allow 5 min, deny 30 s),
 * identical reviews in flight are shared, and review calls are bounded in number, queue and time,
 * so a flood of bad tokens costs the API server at most `concurrency` calls at a time.
 */
export function createAccessFilter(options: AccessFilterOptions): AccessFilter {
  const now = options.now ?? Date.now;
  const tokenTtlMs = options.tokenTtlMs ?? 60_000;
  const allowTtlMs = options.allowTtlMs ?? 300_000;
  const denyTtlMs = options.denyTtlMs ?? 30_000;
  const timeoutMs = options.reviewTimeoutMs ?? 10_000;
  const limiter = createLimiter({ concurrency: options.concurrency ?? 4, maxQueued: options.maxQueued ?? 64 });
  const maxEntries = options.maxCacheEntries ?? 4096;
  const tokens = createTtlCache<TokenResult>(maxEntries);
  const decisions = createTtlCache<boolean>(maxEntries);
  const inflight = new Map<string, Promise<unknown>>();

  /** One review per key at a time, bounded; the result is cached by `ttlOf`. */
  function shared<T>(cache: { get(k: string, n: number): T | undefined; set(k: string, v: T, ttl: number, n: number): void }, key: string, call: (signal: AbortSignal) => Promise<T>, ttlOf: (v: T) => number): Promise<T> {
    const hit = cache.get(key, now());
    if (hit !== undefined) return Promise.resolve(hit);
    const running = inflight.get(key) as Promise<T> | undefined;
    if (running !== undefined) return running;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`review timed out after ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    const promise = limiter
      .run(call, controller.signal)
      .then((value) => {
        cache.set(key, value, ttlOf(value), now());
        return value;
      })
      .finally(() => {
        clearTimeout(timer);
        inflight.delete(key);
      });
    inflight.set(key, promise);
    return promise;
  }

  async function authenticate(token: string): Promise<TokenResult> {
    // The cache is keyed by a digest so the process never holds tokens beyond the review itself.
    const key = `t:${createHash('sha256').update(token).digest('hex')}`;
    return shared(tokens, key, (signal) => options.reviewer.reviewToken(token, signal), () => tokenTtlMs);
  }

  async function authorize(user: UserInfo, attributes: NonResourceAttributes): Promise<boolean> {
    const key = `a:${JSON.stringify([user.username, user.uid ?? '', [...(user.groups ?? [])].sort(), sortedExtra(user.extra), attributes.path, attributes.verb])}`;
    return shared(decisions, key, async (signal) => (await options.reviewer.reviewAccess(user, attributes, signal)).allowed, (allowed) => (allowed ? allowTtlMs : denyTtlMs));
  }

  return {
    async check(authorization, method, path) {
      const token = bearerToken(authorization);
      if (token === undefined) return UNAUTHORIZED;
      let result: TokenResult;
      try {
        result = await authenticate(token);
      } catch (err) {
        options.onError?.('authentication', err);
        return AUTHENTICATION_FAILED;
      }
      if (!result.authenticated) return UNAUTHORIZED;
      const name = result.user.username;
      try {
        const allowed = await authorize(result.user, { path, verb: method.toLowerCase() });
        return allowed ? { kind: 'allow', user: name } : { kind: 'refuse', status: 403, body: `Authorization denied for user ${name}\n` };
      } catch (err) {
        options.onError?.('authorization', err);
        return { kind: 'refuse', status: 500, body: `Authorization for user ${name} failed\n` };
      }
    },
  };
}

function sortedExtra(extra: UserInfo['extra']): Array<[string, string[]]> {
  return Object.entries(extra ?? {})
    .map(([k, v]): [string, string[]] => [k, [...v].sort()])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
