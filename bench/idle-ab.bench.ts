/**
 * A/B of two builds at idle: start -> Ready (ms) and RSS once informers are synced with 0 pods,
 * each build started `--rounds` times against one API server double, interleaved (A B, B A, ...)
 * so load from other jobs on a shared machine falls on both alike. Prints one JSON line with
 * per-round values, medians and the B/A ratio of the medians.
 * Run: node --import tsx bench/idle-ab.bench.ts --a BASE/dist/main.js --b dist/main.js [--rounds 5]
 *      [--settle-ms 4000] [--node-options FLAGS]
 */
import { rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { memoryBreakdown, rssKiB, startApiServerProcess, startController } from './support/procs.js';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    'settle-ms': { type: 'string', default: '4000' },
    'node-options': { type: 'string', default: '' },
  },
});
if (values.a === undefined || values.b === undefined) throw new Error('idle-ab: --a and --b (entry files) are required');
const entries = { a: values.a, b: values.b };
const rounds = Number(values.rounds);
const settleMs = Number(values['settle-ms']);

interface Sample {
  readyMs: number;
  rssMiB: number;
  heapUsedMiB: number | null;
}

async function once(kubeconfig: string, entry: string, name: string): Promise<Sample> {
  const memwatchFile = join(tmpdir(), `idle-ab-${process.pid}-${name}.json`);
  const c = await startController({ kubeconfig, name, entry, memwatchFile, nodeOptions: values['node-options'] });
  try {
    await new Promise((r) => setTimeout(r, settleMs));
    const mem = await memoryBreakdown(c, memwatchFile);
    return {
      readyMs: Math.round(c.readyMs),
      rssMiB: Math.round(rssKiB(c.ctl.proc.pid) / 102.4) / 10,
      heapUsedMiB: typeof mem?.['heapUsedMiB'] === 'number' ? mem['heapUsedMiB'] : null,
    };
  } finally {
    await c.close();
    await rm(memwatchFile, { force: true });
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const api = await startApiServerProcess();
  const samples: Record<'a' | 'b', Sample[]> = { a: [], b: [] };
  const load: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const order: Array<'a' | 'b'> = r % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
      for (const k of order) {
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
      nodeOptions: values['node-options'],
      load1: { min: Math.min(...load), max: Math.max(...load) },
      a,
      b,
      ratioBtoA: { readyMs: ratio(b.medianReadyMs, a.medianReadyMs), rssMiB: ratio(b.medianRssMiB, a.medianRssMiB) },
    }),
  );
}

await main();
