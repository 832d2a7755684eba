/**
 * A/B of a restart over N realistic, allocated pods (bench/support/populate.ts) on one local API
 * server: each round starts a build, waits for /readyz 200, lets it settle and stops it, builds
 * interleaved (A B, B A, ...). Populating once and restarting many times takes the bursts out
 * of the comparison, so start -> Ready and its costs compare far tighter than across full runs.
 * Reported per start: start -> Ready, when the last informer synced, the controller's CPU
 * seconds until Ready (all threads; the main thread, V8's helper threads and the health thread
 * apart), the API server's, and peak and settled RSS. OVN is off: populated pods have no ports,
 * so with OVN on a "restart" would create them all.
 * Run: node --import tsx bench/restart-ab.bench.ts --a BASE/dist/main.js --b dist/main.js
 *      [--pods 11000] [--rounds 4] [--settle-ms 2000] [--node-options FLAGS]
 * Prints one JSON line.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { seedAllocatedCluster } from './support/populate.js';
import { cpuSeconds, hwmKiB, rssKiB, startApiServerProcess, startController, threadCpuSeconds } from './support/procs.js';
import type { ApiServerProcess } from './support/procs.js';
import { abOrder, compareAb } from './support/stats.js';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    pods: { type: 'string', default: '11000' },
    rounds: { type: 'string', default: '4' },
    'settle-ms': { type: 'string', default: '2000' },
    'node-options': { type: 'string', default: '' },
  },
});
if (values.a === undefined || values.b === undefined) throw new Error('restart-ab: --a and --b (entry files) are required');
const entries = { a: values.a, b: values.b };
const PODS = Number(values.pods);
const NS = 'bench';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (kib: number) => Math.round(kib / 102.4) / 10;

async function once(api: ApiServerProcess, entry: string, tag: string): Promise<Record<string, number>> {
  const apiCpu = cpuSeconds(api.pid);
  const c = await startController({ kubeconfig: api.kubeconfig, name: `r-${tag}`, entry, nodeOptions: values['node-options'] });
  try {
    const pid = c.ctl.proc.pid;
    const controllerCpuToReady = cpuSeconds(pid);
    const threads = threadCpuSeconds(pid);
    const apiCpuToReady = cpuSeconds(api.pid) - apiCpu;
    const synced = c.ctl.logs.filter((l) => l['msg'] === 'informer synced').map((l) => Date.parse(String(l['time'])) - c.spawnedAt);
    await sleep(Number(values['settle-ms']));
    return {
      readyMs: Math.round(c.readyMs),
      lastInformerSyncedMs: Math.round(Math.max(...synced)),
      controllerCpuToReadyS: Math.round(controllerCpuToReady * 100) / 100,
      mainThreadCpuToReadyS: Math.round((threads['MainThread'] ?? 0) * 100) / 100,
      // V8's helper threads: concurrent and parallel GC work, background compilation.
      v8HelpersCpuToReadyS: Math.round((threads['V8Worker'] ?? 0) * 100) / 100,
      // The health worker; it answers the bench's /readyz polls (every 10 ms) until Ready.
      healthThreadCpuToReadyS: Math.round((threads['health'] ?? 0) * 100) / 100,
      apiCpuToReadyS: Math.round(apiCpuToReady * 100) / 100,
      peakMiB: mib(hwmKiB(pid)),
      settledMiB: mib(rssKiB(pid)),
      load1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    };
  } finally {
    await c.close();
  }
}

async function main(): Promise<void> {
  const api = await startApiServerProcess({ history: 1000 });
  const runs: Record<'a' | 'b', Array<Record<string, number>>> = { a: [], b: [] };
  try {
    const populateMs = await seedAllocatedCluster(api, NS, PODS, entries.b);
    // One unmeasured start, so the API server's per-object encodings are warm for both sides alike.
    await once(api, entries.a, 'warm');
    const rounds = Number(values.rounds);
    for (let r = 0; r < rounds; r++) {
      for (const side of abOrder(r)) runs[side].push(await once(api, entries[side], `${side}${r}`));
    }
    console.log(JSON.stringify({ bench: 'restart-ab', pods: PODS, populateMs, nodeOptions: values['node-options'], ...compareAb(entries, runs), date: new Date().toISOString() }));
  } finally {
    await api.close();
  }
}

await main();
