/**
 * A/B of a leader takeover's memory: N realistic pods (~8.7 KB, bench/support/realistic-pod.ts),
 * already allocated (annotations and `IP` objects written as the controller writes them), on the
 * local API server. Each round and build: a leader starts and rebuilds, a standby of the same
 * build starts and syncs, the standby's VmHWM is reset and the leader SIGKILLed; the standby takes
 * over (lease 15 s), rebuilds from its quorum lists and reconciles every key. Reported: the
 * standby's RSS before the kill, its peak from the kill to `--settle-ms` after its "IPAM rebuilt"
 * line, its RSS then (steady), and the rebuild time. Builds interleaved (A B, B A, ...).
 * Run: node --import tsx bench/takeover-ab.bench.ts --a BASE/dist/main.js --b dist/main.js [--pods 20000] [--rounds 2]
 * Prints one JSON line.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { hwmKiB, resetHwm, rssKiB, startApiServerProcess, startController } from './support/procs.js';
import type { Controller } from './support/procs.js';
import { MAX_POPULATED_PODS, seedAllocatedCluster } from './support/populate.js';
import { abOrder, median } from './support/stats.js';

const { values } = parseArgs({
  options: { a: { type: 'string' }, b: { type: 'string' }, pods: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '2' }, 'settle-ms': { type: 'string', default: '5000' } },
});
if (values.a === undefined || values.b === undefined) throw new Error('takeover-ab: --a and --b (entry files) are required');
const entries = { a: values.a, b: values.b };
const PODS = Number(values.pods);
if (!(PODS > 0 && PODS <= MAX_POPULATED_PODS)) throw new Error(`--pods: expected 1..${MAX_POPULATED_PODS} (one /16), got ${values.pods}`);
const NS = 'bench';
const settleMs = Number(values['settle-ms']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (kib: number) => Math.round(kib / 102.4) / 10;
// A roomier renew deadline than procs' default: a leader syncing 20k realistic pods on a loaded
// 2-core box must not lose its lease before the planned kill.
const LEASE = ['--leader-elect-lease-duration=15s', '--leader-elect-renew-deadline=12s', '--leader-elect-retry-period=1s'];

/** A log line's time, epoch ms (pino writes a number; an ISO string is accepted too). */
const timeOf = (l: Record<string, unknown>): number => (typeof l['time'] === 'number' ? l['time'] : Date.parse(String(l['time'])));

async function logLine(c: Controller, msg: string, after: number, timeoutMs: number): Promise<Record<string, unknown> | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = c.ctl.logs.findLast((l) => l['msg'] === msg && timeOf(l) >= after);
    if (line !== undefined || Date.now() > deadline) return line;
    await sleep(200);
  }
}

async function once(kubeconfig: string, entry: string, tag: string): Promise<Record<string, unknown>> {
  const leader = await startController({ kubeconfig, name: `l-${tag}`, entry, args: LEASE });
  let standby: Controller | undefined;
  try {
    if ((await logLine(leader, 'IPAM rebuilt', 0, 180_000)) === undefined) throw new Error(`${tag}: leader did not rebuild`);
    standby = await startController({ kubeconfig, name: `s-${tag}`, entry, args: LEASE });
    await sleep(2000);
    const pid = standby.ctl.proc.pid;
    const standbyMiB = mib(rssKiB(pid));
    resetHwm(pid);
    const killedAt = Date.now();
    leader.ctl.kill('SIGKILL');
    const rebuilt = await logLine(standby, 'IPAM rebuilt', killedAt, 180_000);
    if (rebuilt === undefined) {
      const exit = `exit ${standby.ctl.proc.exitCode} ${standby.ctl.proc.signalCode}`;
      throw new Error(`${tag}: standby did not take over (${exit}):\n${standby.ctl.logs.slice(-12).map((l) => JSON.stringify(l).slice(0, 300)).join('\n')}`);
    }
    await sleep(settleMs);
    const load1 = Math.round((loadavg()[0] ?? 0) * 100) / 100;
    return {
      standbyMiB,
      peakMiB: mib(hwmKiB(pid)),
      steadyMiB: mib(rssKiB(pid)),
      rebuiltAfterKillMs: timeOf(rebuilt) - killedAt,
      rebuildMs: rebuilt['ms'],
      restored: rebuilt['restored'],
      load1,
    };
  } finally {
    await standby?.close();
    await leader.close();
  }
}


async function main(): Promise<void> {
  const api = await startApiServerProcess({ history: 1000 });
  const runs: Record<'a' | 'b', Array<Record<string, unknown>>> = { a: [], b: [] };
  try {
    const populateMs = await seedAllocatedCluster(api, NS, PODS, entries.b);
    const rounds = Number(values.rounds);
    for (let r = 0; r < rounds; r++) {
      for (const side of abOrder(r)) runs[side].push(await once(api.kubeconfig, entries[side], `${side}${r}`));
    }
    const summary = (side: 'a' | 'b') => ({
      entry: entries[side],
      runs: runs[side],
      medianPeakMiB: median(runs[side].map((x) => Number(x['peakMiB']))),
      medianSteadyMiB: median(runs[side].map((x) => Number(x['steadyMiB']))),
    });
    const a = summary('a');
    const b = summary('b');
    console.log(JSON.stringify({ bench: 'takeover-ab', pods: PODS, populateMs, a, b, ratioBtoA: { peakMiB: Math.round((b.medianPeakMiB / a.medianPeakMiB) * 100) / 100, steadyMiB: Math.round((b.medianSteadyMiB / a.medianSteadyMiB) * 100) / 100 } }));
  } finally {
    await api.close();
  }
}

await main();
