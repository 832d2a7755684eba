/**
 * A/B of the per-pod cost in a burst: one local API server and one local OVN northbound (when
 * installed), 100 Nodes; each round starts a build, lets it settle 3 s, creates N realistic pods
 * (bench/support/realistic-pod.ts) and waits until every one is `routed` (`allocated` without
 * OVN), then stops it; builds interleaved (A B, B A, ...). Pods of earlier rounds stay, so each
 * start syncs a larger cluster: the interleaving gives both builds the same sizes.
 * Reported per burst: the controller's CPU per pod (all threads, and by thread), pods/s and the
 * API server's CPU. No probe loops run: the health thread's share is a kubelet's, near zero.
 * Run: node --import tsx bench/burst-ab.bench.ts --a BASE/dist/main.js --b dist/main.js
 *      [--pods 2000] [--rounds 4]
 * Prints one JSON line.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { namespaceObject, PATHS } from '../test/support/objects.js';
import { nodeObject, NODES_PATH } from '../test/support/ovn/e2e.js';
import { ovnMissing, startLocalOvn } from '../test/support/ovn/local-ovn.js';
import type { LocalOvn } from '../test/support/ovn/local-ovn.js';
import { runBurst } from './support/burst.js';
import { httpJson } from './support/kube-http.js';
import { startApiServerProcess, startController } from './support/procs.js';
import { realisticPod } from './support/realistic-pod.js';
import { abOrder, compareAb } from './support/stats.js';

const { values } = parseArgs({ options: { a: { type: 'string' }, b: { type: 'string' }, pods: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '4' } } });
if (values.a === undefined || values.b === undefined) throw new Error('burst-ab: --a and --b (entry files) are required');
const entries = { a: values.a, b: values.b };
const PODS = Number(values.pods);
const NS = 'bench';

async function main(): Promise<void> {
  const absent = ovnMissing();
  if (absent !== undefined) process.stderr.write(`# burst-ab: OVN is missing (${absent}): measuring without northbound\n`);
  const ovn: LocalOvn | undefined = absent === undefined ? await startLocalOvn() : undefined;
  const api = await startApiServerProcess({ history: 1000 });
  const runs: Record<'a' | 'b', Array<Record<string, number>>> = { a: [], b: [] };
  try {
    const client = httpJson(api.url, 1);
    await client.call('POST', PATHS.namespaces, namespaceObject(NS));
    for (let i = 0; ovn !== undefined && i < 100; i++) await client.call('POST', NODES_PATH, nodeObject(`node-${i}`, `172.18.${i >> 8}.${(i & 255) + 2}`));
    client.close();
    for (let r = 0; r < Number(values.rounds); r++) {
      for (const side of abOrder(r)) {
        const ctl = await startController({ kubeconfig: api.kubeconfig, name: `c-${side}${r}`, entry: entries[side], args: ovn === undefined ? [] : [`--ovn-nb-addr=${ovn.nbAddr}`] });
        try {
          await new Promise((res) => setTimeout(res, 3000));
          const burst = await runBurst({ apiUrl: api.url, namespace: NS, prefix: `${side}${r}-`, count: PODS, pids: { controller: ctl.ctl.proc.pid, apiserver: api.pid, bench: process.pid }, podBody: realisticPod, ...(ovn === undefined ? {} : { doneAnnotation: 'ovn.kubernetes.io/routed' }) });
          const byThread = burst.controllerCpuMsPerPodByThread;
          runs[side].push({ cpuMsPerPod: burst.controllerCpuMsPerPod, mainThreadMsPerPod: byThread['MainThread'] ?? NaN, v8HelpersMsPerPod: byThread['V8Worker'] ?? NaN, podsPerSec: burst.podsPerSec, apiCpuMsPerPod: Math.round(((burst.cpuSeconds['apiserver'] ?? NaN) / PODS) * 1e5) / 100, load1: Math.round((loadavg()[0] ?? 0) * 100) / 100 });
        } finally {
          await ctl.close();
        }
      }
    }
  } finally {
    await api.close();
    await ovn?.stop();
  }
  console.log(JSON.stringify({ bench: 'burst-ab', pods: PODS, ovn: ovn !== undefined, ...compareAb(entries, runs), date: new Date().toISOString() }));
}

await main();
