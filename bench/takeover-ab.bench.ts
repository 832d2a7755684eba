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
import { namespaceObject, PATHS } from '../test/support/objects.js';
import { httpJson } from './support/kube-http.js';
import { hwmKiB, resetHwm, rssKiB, startApiServerProcess, startController } from './support/procs.js';
import type { Controller } from './support/procs.js';
import { realisticPod } from './support/realistic-pod.js';

const { values } = parseArgs({
  options: { a: { type: 'string' }, b: { type: 'string' }, pods: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '2' }, 'settle-ms': { type: 'string', default: '5000' } },
});
if (values.a === undefined || values.b === undefined) throw new Error('takeover-ab: --a and --b (entry files) are required');
const entries = { a: values.a, b: values.b };
const PODS = Number(values.pods);
if (!(PODS > 0 && PODS < 65_000)) throw new Error(`--pods: expected 1..64999 (one /16), got ${values.pods}`);
const NS = 'bench';
const settleMs = Number(values['settle-ms']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (kib: number) => Math.round(kib / 102.4) / 10;
// A roomier renew deadline than procs' default: a leader syncing 20k realistic pods on a loaded
// 2-core box must not lose its lease before the planned kill.
const LEASE = ['--leader-elect-lease-duration=15s', '--leader-elect-renew-deadline=12s', '--leader-elect-retry-period=1s'];

/** The allocation of pod i in ovn-default (10.16.0.0/16; .0.1 is the gateway). */
function allocation(i: number): { ip: string; mac: string } {
  const n = i + 2;
  const ip = `10.16.${(n >> 8) & 255}.${n & 255}`;
  const mac = `00:00:00:${((n >> 16) & 255).toString(16).padStart(2, '0')}:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;
  return { ip, mac };
}

async function populate(url: string): Promise<void> {
  const client = httpJson(url, 64);
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < PODS) {
        const i = next++;
        const name = `b-${i}`;
        const { ip, mac } = allocation(i);
        const annotations = {
          'ovn.kubernetes.io/ip_address': ip,
          'ovn.kubernetes.io/mac_address': mac,
          'ovn.kubernetes.io/cidr': '10.16.0.0/16',
          'ovn.kubernetes.io/gateway': '10.16.0.1',
          'ovn.kubernetes.io/logical_switch': 'ovn-default',
          'ovn.kubernetes.io/allocated': 'true',
        };
        const pod = realisticPod(NS, name, i, annotations);
        const r = await client.call('POST', PATHS.pods(NS), pod);
        if (r.status !== 201) throw new Error(`pod ${i}: HTTP ${r.status}`);
        const nodeName = (pod['spec'] as { nodeName: string }).nodeName;
        const ipObj = {
          apiVersion: 'kubeovn.io/v1',
          kind: 'IP',
          metadata: { name: `${name}.${NS}`, labels: { 'ovn.kubernetes.io/subnet': 'ovn-default', 'ovn.kubernetes.io/node-name': nodeName }, finalizers: ['kubeovn.io/kube-ovn-controller'] },
          spec: { podName: name, namespace: NS, subnet: 'ovn-default', nodeName, ipAddress: ip, v4IpAddress: ip, v6IpAddress: '', macAddress: mac, podType: '', attachSubnets: [], attachIps: [], attachMacs: [] },
        };
        const s = await client.call('POST', PATHS.ips, ipObj);
        if (s.status !== 201) throw new Error(`ip ${i}: HTTP ${s.status}`);
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
  } finally {
    client.close();
  }
}

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

const median = (xs: readonly number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const api = await startApiServerProcess({ history: 1000 });
  const runs: Record<'a' | 'b', Array<Record<string, unknown>>> = { a: [], b: [] };
  try {
    const client = httpJson(api.url, 1);
    if ((await client.call('POST', PATHS.namespaces, namespaceObject(NS))).status !== 201) throw new Error('namespace not created');
    client.close();
    // A first controller creates ovn-default as it does on any cluster; then the pods arrive allocated.
    const seed = await startController({ kubeconfig: api.kubeconfig, name: 'seed', entry: entries.b });
    await seed.close();
    const t0 = Date.now();
    await populate(api.url);
    const populateMs = Date.now() - t0;
    const rounds = Number(values.rounds);
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const)) runs[side].push(await once(api.kubeconfig, entries[side], `${side}${r}`));
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
