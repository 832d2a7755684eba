/**
 * A/B of two builds under a Prometheus scrape storm (test/e2e/metrics-isolation's `scrape-storm`:
 * N scrapes of /metrics at once on an idle controller, 0 pods), each build started `--rounds`
 * times against one API server double, interleaved (A B, B A, ...) so load from other jobs on
 * a shared machine falls on both alike. Per storm: wall time, slowest scrape, scrapes over the
 * e2e test's 2 s bound, and the slowest /livez probe during it. One JSON line.
 * Run: node --import tsx bench/scrape-storm-ab.bench.ts --a BASE/dist/main.js --b dist/main.js
 *      [--rounds 3] [--scrapes 200] [--storms 2]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { probe } from '../test/support/kubelet.js';
import { startApiServerProcess, startController } from './support/procs.js';
import { abOrder } from './support/stats.js';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    scrapes: { type: 'string', default: '200' },
    storms: { type: 'string', default: '2' },
  },
});
if (values.a === undefined || values.b === undefined) throw new Error('scrape-storm-ab: --a and --b (entry files) are required');
const entries = { a: values.a, b: values.b };
const rounds = Number(values.rounds);
const scrapes = Number(values.scrapes);
const storms = Number(values.storms);
const BOUND_MS = 2000;

interface Storm {
  wallMs: number;
  maxScrapeMs: number;
  overBound: number;
  failed: number;
  maxLivezMs: number;
}

async function scrapeMs(port: number): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  await r.text();
  if (r.status !== 200) throw new Error(`/metrics: HTTP ${r.status}`);
  return performance.now() - t0;
}

async function storm(metricsPort: number, healthPort: number): Promise<Storm> {
  let probing = true;
  let maxLivezMs = 0;
  const prober = (async () => {
    while (probing) {
      const t0 = performance.now();
      await probe(healthPort, '/livez');
      maxLivezMs = Math.max(maxLivezMs, performance.now() - t0);
    }
  })();
  const t0 = performance.now();
  const results = await Promise.allSettled(Array.from({ length: scrapes }, () => scrapeMs(metricsPort)));
  const wallMs = performance.now() - t0;
  probing = false;
  await prober;
  const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const round = (n: number) => Math.round(n);
  return { wallMs: round(wallMs), maxScrapeMs: round(Math.max(0, ...ok)), overBound: ok.filter((ms) => ms > BOUND_MS).length, failed: results.length - ok.length, maxLivezMs: round(maxLivezMs) };
}

async function sample(kubeconfig: string, entry: string, name: string): Promise<Storm[]> {
  const ctl = await startController({ kubeconfig, name, entry });
  try {
    for (let i = 0; i < 100; i++) {
      try {
        await scrapeMs(ctl.metricsPort);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await new Promise((r) => setTimeout(r, 1500));
    const out: Storm[] = [];
    for (let i = 0; i < storms; i++) out.push(await storm(ctl.metricsPort, ctl.healthPort));
    return out;
  } finally {
    await ctl.close();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)] ?? 0;
};

async function main(): Promise<void> {
  const api = await startApiServerProcess();
  const runs: Record<'a' | 'b', Storm[]> = { a: [], b: [] };
  const order: Array<'a' | 'b'> = [];
  try {
    for (let r = 0; r < rounds; r++) {
      for (const side of abOrder(r)) {
        order.push(side);
        runs[side].push(...(await sample(api.kubeconfig, entries[side], `storm-${side}-${r}`)));
      }
    }
  } finally {
    await api.close();
  }
  const summary = (xs: Storm[]) => ({ wallMsMedian: median(xs.map((x) => x.wallMs)), maxScrapeMsMedian: median(xs.map((x) => x.maxScrapeMs)), overBound: xs.reduce((n, x) => n + x.overBound, 0), failed: xs.reduce((n, x) => n + x.failed, 0) });
  const a = summary(runs.a);
  const b = summary(runs.b);
  console.log(JSON.stringify({ bench: 'scrape-storm-ab', entries, rounds, scrapes, storms, order, runs, a, b, wallBoverA: Math.round((b.wallMsMedian / a.wallMsMedian) * 100) / 100, loadavg: loadavg().map((l) => Math.round(l * 10) / 10) }));
}

await main();
