/**
 * A/B of two builds at idle: start -> Ready (ms) and RSS once informers are synced with 0 pods,
 * each build started `--rounds` times against one API server double, interleaved (A B, B A, ...)
 * so load from other jobs on a shared machine falls on both alike. Prints one JSON line with
 * per-round values, medians and the B/A ratio of the medians.
 * Run: node --import tsx bench/idle-ab.bench.ts --a BASE/dist/main.js --b dist/main.js [--rounds 5]
 *      [--settle-ms 4000] [--node-options FLAGS] [--probers N]
 * --probers N: N loops probing /livez and /readyz back to back (kubelet-style, fresh connection)
 * through the settle time, to load the health worker's heap; the probe count is reported.
 */
import { rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { probe } from '../test/support/kubelet.js';
import { memoryBreakdown, rssKiB, startApiServerProcess, startController } from './support/procs.js';
import { abOrder, median } from './support/stats.js';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    'settle-ms': { type: 'string', default: '4000' },
    'node-options': { type: 'string', default: '' },
    probers: { type: 'string', default: '0' },
  },
});
if (values.a === undefined || values.b === undefined) throw new Error('idle-ab: --a and --b (entry files) are required');
const entries = { a: values.a, b: values.b };
const rounds = Number(values.rounds);
const settleMs = Number(values['settle-ms']);
const probers = Number(values.probers);

interface Sample {
  readyMs: number;
  probes: number;
  rssMiB: number;
  heapUsedMiB: number | null;
  /** The health worker's heap (committed), from memwatch. */
  workerCommittedMiB: number | null;
  worker: unknown;
}

async function once(kubeconfig: string, entry: string, name: string): Promise<Sample> {
  const memwatchFile = join(tmpdir(), `idle-ab-${process.pid}-${name}.json`);
  const c = await startController({ kubeconfig, name, entry, memwatchFile, nodeOptions: values['node-options'] });
  try {
    const probes = await probeFor(c.healthPort, settleMs);
    const mem = await memoryBreakdown(c, memwatchFile);
    return {
      readyMs: Math.round(c.readyMs),
      probes,
      rssMiB: Math.round(rssKiB(c.ctl.proc.pid) / 102.4) / 10,
      heapUsedMiB: typeof mem?.['heapUsedMiB'] === 'number' ? mem['heapUsedMiB'] : null,
      workerCommittedMiB: (mem?.['workers'] as Array<{ committedMiB: number }> | undefined)?.[0]?.committedMiB ?? null,
      worker: (mem?.['workers'] as unknown[] | undefined)?.[0] ?? null,
    };
  } finally {
    await c.close();
    await rm(memwatchFile, { force: true });
  }
}

/** Waits `ms`, probing with `probers` loops meanwhile; returns the number of probes answered. */
async function probeFor(port: number, ms: number): Promise<number> {
  const until = performance.now() + ms;
  let answered = 0;
  const loop = async (i: number): Promise<void> => {
    while (performance.now() < until) {
      const r = await probe(port, i % 2 === 0 ? '/livez' : '/readyz?verbose').catch(() => undefined);
      if (r?.status === 200) answered++;
    }
  };
  await Promise.all([new Promise((r) => setTimeout(r, ms)), ...Array.from({ length: probers }, (_, i) => loop(i))]);
  return answered;
}

async function main(): Promise<void> {
  const api = await startApiServerProcess();
  const samples: Record<'a' | 'b', Sample[]> = { a: [], b: [] };
  const load: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      for (const k of abOrder(r)) {
        load.push(Number(loadavg()[0]?.toFixed(2)));
        samples[k].push(await once(api.kubeconfig, entries[k], `ctl-${k}-${r}`));
      }
    }
  } finally {
    await api.close();
  }
  const summary = (k: 'a' | 'b') => ({
    entry: entries[k],
    readyMs: samples[k].map((s) => s.readyMs),
    rssMiB: samples[k].map((s) => s.rssMiB),
    heapUsedMiB: samples[k].map((s) => s.heapUsedMiB),
    probes: samples[k].map((s) => s.probes),
    workerCommittedMiB: samples[k].map((s) => s.workerCommittedMiB),
    worker: samples[k].map((s) => s.worker),
    medianReadyMs: median(samples[k].map((s) => s.readyMs)),
    medianRssMiB: median(samples[k].map((s) => s.rssMiB)),
  });
  const a = summary('a');
  const b = summary('b');
  const ratio = (x: number, y: number) => Math.round((x / y) * 100) / 100;
  console.log(
    JSON.stringify({
      bench: 'idle-ab',
      rounds,
      settleMs,
      probers,
      nodeOptions: values['node-options'],
      load1: { min: Math.min(...load), max: Math.max(...load) },
      a,
      b,
      ratioBtoA: { readyMs: ratio(b.medianReadyMs, a.medianReadyMs), rssMiB: ratio(b.medianRssMiB, a.medianRssMiB) },
    }),
  );
}

await main();
