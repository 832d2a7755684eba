import { Hono } from 'hono';
import { createRateLimitedLogger } from '../log/index.js';
import type { Logger, RateLimitedLogger } from '../log/index.js';
import type { CheckSet, HealthCheck } from './checks.js';
import { NOT_FOUND, renderHealth, renderSingleCheck } from './render.js';
import type { CheckOutcome, ProbeLabel, Rendered } from './render.js';
import { runCheck } from './run.js';

export interface HealthAppOptions {
  readonly livez: CheckSet;
  readonly readyz: CheckSet;
  /** One line, the 404 body of `/metrics`, telling where metrics went (handed in: health knows nothing of telemetry). */
  readonly metricsHint: string;
  /** Paths that serve exactly what `/livez` serves (and `/<path>/<check>`); `/livez` stays. */
  readonly extraLivenessPaths?: readonly string[];
  /** Paths that serve exactly what `/readyz` serves; `/readyz` and `/healthz` stay. */
  readonly extraReadinessPaths?: readonly string[];
  readonly logger: Logger;
  /** Budget of each check per probe, ms. Default 500: every probe answers well inside kubelet's 1 s. */
  readonly checkTimeoutMs?: number;
  /** Minimum time between two log lines about one failing check, ms. Default 30000. */
  readonly failureLogIntervalMs?: number;
}

interface Route {
  readonly set: CheckSet;
  readonly label: ProbeLabel;
}

const PLAIN_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/plain; charset=utf-8',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache, private',
};

const METHOD_NOT_ALLOWED: Rendered = { status: 405, body: 'Method Not Allowed\n' };

/**
 * The health app of port 10660, following the apiserver's healthz conventions: `/livez`,
 * `/readyz`, `/healthz` (readyz under its old name), their `/<check>` subpaths, and a `/metrics`
 * that only says where metrics went. Throws on conflicting paths (a configuration bug).
 */
export function createHealthApp(options: HealthAppOptions): Hono {
  const timeoutMs = options.checkTimeoutMs ?? 500;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new Error(`checkTimeoutMs: expected a positive integer of ms, got ${timeoutMs}`);
  const routes = buildRoutes(options);
  const limited = createRateLimitedLogger(options.logger, { intervalMs: options.failureLogIntervalMs ?? 30_000 });
  // One line whatever the caller handed in: a stray newline would make the body two lines.
  const metricsBody: Rendered = { status: 404, body: `${options.metricsHint.trimEnd()}\n` };

  const app = new Hono();
  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    const path = decodePath(url.pathname);
    if (path === '/metrics') return respond(metricsBody);
    const readOnly = c.req.method === 'GET' || c.req.method === 'HEAD';
    const root = path === undefined ? undefined : routes.get(path);
    if (root !== undefined) {
      if (!readOnly) return respond(METHOD_NOT_ALLOWED, { Allow: 'GET, HEAD' });
      return respond(await probeRoot(root, url.searchParams, timeoutMs, limited));
    }
    const single = path === undefined ? undefined : findSingle(routes, path);
    if (single === undefined) return respond(NOT_FOUND);
    if (!readOnly) return respond(METHOD_NOT_ALLOWED, { Allow: 'GET, HEAD' });
    const result = await runCheck(single.check, timeoutMs);
    if (!result.ok) logFailure(limited, single.route, single.check.name, result.reason);
    return respond(renderSingleCheck(result));
  });
  app.onError((err) => {
    options.logger.error({ err }, 'health handler failed');
    return respond({ status: 500, body: 'internal server error\n' });
  });
  return app;
}

function respond(rendered: Rendered, extra: Record<string, string> = {}): Response {
  const headers = { ...PLAIN_HEADERS, 'Content-Length': String(Buffer.byteLength(rendered.body)), ...extra };
  return new Response(rendered.body, { status: rendered.status, headers });
}

async function probeRoot(route: Route, query: URLSearchParams, timeoutMs: number, limited: RateLimitedLogger): Promise<Rendered> {
  const excluded = new Set(query.getAll('exclude'));
  const checks = route.set.checks();
  const outcomes = await Promise.all(
    checks.map(async (check): Promise<CheckOutcome> => {
      if (excluded.has(check.name)) return { name: check.name, excluded: true };
      return { name: check.name, excluded: false, result: await runCheck(check, timeoutMs) };
    }),
  );
  for (const o of outcomes) if (!o.excluded && !o.result.ok) logFailure(limited, route, o.name, o.result.reason);
  const unknownExcludes = [...excluded].filter((name) => !checks.some((c) => c.name === name));
  if (unknownExcludes.length > 0) {
    limited.log('warn', `${route.set.kind}:exclude`, { probe: route.label, names: unknownExcludes }, 'cannot exclude health checks that are not installed');
  }
  return renderHealth(route.label, outcomes, { verbose: query.has('verbose'), unknownExcludes });
}

// Keyed per kind and check so one check failing every probe logs once per interval,
// while a second failing check still gets its own line.
function logFailure(limited: RateLimitedLogger, route: Route, check: string, reason: string): void {
  limited.log('warn', `${route.set.kind}:${check}`, { probe: route.label, check, reason }, 'health check failed');
}

function findSingle(routes: ReadonlyMap<string, Route>, path: string): { route: Route; check: HealthCheck } | undefined {
  const slash = path.lastIndexOf('/');
  const route = routes.get(path.slice(0, slash));
  const name = path.slice(slash + 1);
  if (route === undefined || name === '') return undefined;
  const check = route.set.checks().find((c) => c.name === name);
  return check === undefined ? undefined : { route, check };
}

// Go's mux matches the decoded path; a malformed escape matches nothing.
function decodePath(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
}

function buildRoutes(options: HealthAppOptions): ReadonlyMap<string, Route> {
  if (options.livez.kind !== 'livez' || options.readyz.kind !== 'readyz') {
    throw new Error(`health app: expected livez and readyz check sets, got ${options.livez.kind} and ${options.readyz.kind}`);
  }
  const routes = new Map<string, Route>();
  const add = (path: string, route: Route): void => {
    if (!/^\/[^?#\s]*[^/?#\s]$/.test(path) || path === '/metrics') {
      throw new Error(`health path: expected an absolute path without trailing '/', query or '/metrics', got \`${path}\``);
    }
    const existing = routes.get(path);
    if (existing === undefined) routes.set(path, route);
    else if (existing.set !== route.set) throw new Error(`health path \`${path}\` is claimed by both ${existing.set.kind} and ${route.set.kind}`);
  };
  add('/livez', { set: options.livez, label: 'livez' });
  add('/readyz', { set: options.readyz, label: 'readyz' });
  add('/healthz', { set: options.readyz, label: 'healthz' });
  for (const path of options.extraLivenessPaths ?? []) add(path, { set: options.livez, label: 'livez' });
  for (const path of options.extraReadinessPaths ?? []) add(path, { set: options.readyz, label: 'readyz' });
  return routes;
}
