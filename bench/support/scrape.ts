// Scrape time of the controller's /metrics: timed GETs from here, then (when the binary is
// installed) a real Prometheus scraping it every second, reporting its own scrape_duration_seconds.
import { request } from 'node:http';
import { prometheusUnavailable, startPrometheus } from '../../test/support/prometheus.js';
import { summarize } from './stats.js';

function scrapeOnce(port: number): Promise<{ ms: number; body: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', agent: false, headers: { Accept: 'text/plain;version=0.0.4' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ ms: performance.now() - started, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function realPrometheus(port: number): Promise<Record<string, unknown>> {
  const why = prometheusUnavailable();
  if (why !== undefined) return { skipped: why };
  const prom = await startPrometheus([`127.0.0.1:${port}`], 1000);
  try {
    await new Promise((r) => setTimeout(r, 6000));
    const one = async (q: string): Promise<number | null> => (await prom.query(q))[0]?.value ?? null;
    const ms = (x: number | null): number | null => (x === null ? null : Math.round(x * 100_000) / 100);
    return {
      lastScrapeMs: ms(await one('scrape_duration_seconds')),
      maxScrapeMs1m: ms(await one('max_over_time(scrape_duration_seconds[1m])')),
      samplesScraped: await one('scrape_samples_scraped'),
      up: await one('up'),
    };
  } finally {
    await prom.close();
  }
}

/** `n` timed scrapes (fresh connection each), the payload's size and series count, and Prometheus' own view. */
export async function scrapeFigures(port: number, n: number): Promise<Record<string, unknown>> {
  const times: number[] = [];
  let body = '';
  for (let i = 0; i < n; i++) {
    const r = await scrapeOnce(port);
    times.push(r.ms);
    body = r.body;
  }
  const series = body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  return { direct: summarize(times), bytes: Buffer.byteLength(body), series, prometheus: await realPrometheus(port) };
}

/** Sums of `_sum` / `_count` per series of the histograms that explain throughput, as mean ms. */
export function histogramMeans(body: string, names: readonly string[]): Record<string, { count: number; meanMs: number }> {
  const sums = new Map<string, { sum: number; count: number }>();
  for (const line of body.split('\n')) {
    const m = /^([a-z_]+?)_(sum|count)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (m === null || !names.includes(m[1] as string)) continue;
    const labels = (m[3] ?? '').replace(/,?(host|subnet_cidr)="[^"]*"/g, '');
    const key = `${m[1]}${labels}`;
    const cur = sums.get(key) ?? { sum: 0, count: 0 };
    if (m[2] === 'sum') cur.sum += Number(m[4]);
    else cur.count += Number(m[4]);
    sums.set(key, cur);
  }
  const out: Record<string, { count: number; meanMs: number }> = {};
  for (const [k, v] of sums) out[k] = { count: v.count, meanMs: Math.round((v.sum / Math.max(1, v.count)) * 100_000) / 100 };
  return out;
}

/** One scrape, reduced to the means of the reconcile, queue and REST client histograms. */
export async function controllerInternals(port: number): Promise<Record<string, unknown>> {
  const { body } = await scrapeOnce(port);
  return histogramMeans(body, ['rest_client_request_duration_seconds', 'controller_runtime_reconcile_time_seconds', 'workqueue_queue_duration_seconds', 'workqueue_work_duration_seconds', 'ovs_client_request_latency_milliseconds']);
}

/**
 * The controller's own event-loop figures (`nodejs_eventloop_*`), which cover the time since the
 * previous collection: scraped right after a burst with no scrape before, they describe the burst.
 */
export async function eventLoopSinceLastScrape(port: number): Promise<Record<string, number>> {
  const { body } = await scrapeOnce(port);
  const out: Record<string, number> = {};
  for (const line of body.split('\n')) {
    const m = /^nodejs_eventloop_(delay_[a-z0-9]+|utilization)[a-z_]*(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (m === null) continue;
    const v = Number(m[3]);
    out[m[1] === 'utilization' ? 'utilization' : `${m[1]}Ms`] = m[1] === 'utilization' ? Math.round(v * 100) / 100 : Math.round(v * 100_000) / 100;
  }
  return out;
}
