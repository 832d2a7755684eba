/**
 * The BUILT controller programming a local OVN NB (issue 11): pods/s from creation to
 * `ovn.kubernetes.io/routed: "true"` for a burst, NB transactions per pod (from the controller's
 * own `ovs_client_request_latency_milliseconds_count{method="transact"}`), then a restart over all
 * pods and ports: time to Ready and the start-up NB reconcile time (its log line). With --full the
 * OVN is whole (northd, ovs-vswitchd dummy, ovn-controller) and the CNI double plugs every pod once
 * routed, timing creation -> ovn-installed too.
 * Run: node --import tsx bench/ovn-controller.bench.ts [pods=1000] [--full] [--entry DIR/main.js]
 * [--workers N] [--profile DIR] (`--entry`: a baseline build, `node build.mjs --outdir DIR`, for A/B
 * runs; `--profile`: `--cpu-prof` of the controllers, read with bench/profile-summary.ts). Prints one JSON line.
 */
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { apiClient, namespaceObject, PATHS } from '../test/support/objects.js';
import { createCniDouble } from '../test/support/ovn/cni.js';
import { lspNames, nodeObject, NODES_PATH, podAnnotations } from '../test/support/ovn/e2e.js';
import { startLocalOvn } from '../test/support/ovn/local-ovn.js';
import { runBurst } from './support/burst.js';
import { startApiServerProcess, startController } from './support/procs.js';
import type { Controller } from './support/procs.js';
import { machine } from './support/stats.js';

const { values, positionals } = parseArgs({ options: { full: { type: 'boolean' }, entry: { type: 'string' }, workers: { type: 'string' }, profile: { type: 'string' } }, allowPositionals: true });
const count = Number(positionals[0] ?? 1000);
const full = values.full === true;
const entry = {
  ...(values.entry === undefined ? {} : { entry: values.entry }),
  ...(values.workers === undefined ? {} : { workers: Number(values.workers) }),
  ...(values.profile === undefined ? {} : { cpuProfDir: values.profile }),
};
const NS = 'bench';

function metrics(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject).end();
  });
}

/** Sum of `ovs_client_request_latency_milliseconds_count` for `method` over every code. */
async function transacts(c: Controller, method = 'transact'): Promise<number> {
  const body = await metrics(c.metricsPort);
  let sum = 0;
  for (const m of body.matchAll(/^ovs_client_request_latency_milliseconds_count\{([^}]*)\} (\S+)/gm)) if ((m[1] ?? '').includes(`method="${method}"`)) sum += Number(m[2]);
  return sum;
}

async function waitFor(what: string, f: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await f().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const step = (what: string): void => void process.stderr.write(`# ${new Date().toISOString().slice(11, 19)} ${what}\n`);
const reconciledMs = (c: Controller): unknown => c.ctl.logs.find((l) => l['msg'] === 'northbound reconciled')?.['ms'];

const ovn = await startLocalOvn({ full });
step('local OVN started');
const api = await startApiServerProcess({ history: Math.max(10_000, count * 3) });
const out: Record<string, unknown> = { bench: 'ovn-controller', pods: count, full, entry: values.entry ?? 'dist/main.js', workers: Number(values.workers ?? 3), machine: await machine() };
let ctl: Controller | undefined;
try {
  const kube = apiClient(api.url);
  await kube.create(PATHS.namespaces, namespaceObject(NS));
  await kube.create(NODES_PATH, nodeObject('node-1', '172.18.0.2'));
  const args = [`--ovn-nb-addr=${ovn.nbAddr}`, '--inspect-interval=20', '--gc-interval=360'];
  step('starting the controller');
  ctl = await startController({ kubeconfig: api.kubeconfig, name: 'ovn-bench-1', args, ...entry });
  step('controller ready');
  out['firstReadyMs'] = Math.round(ctl.readyMs);
  await waitFor('node-1 annotated and default subnet served', async () => (await kube.get(`${NODES_PATH}/node-1`)).metadata.annotations?.['ovn.kubernetes.io/allocated'] === 'true' && (await lspNames(ovn)).includes('ovn-default-ovn-cluster'));
  const cni = full ? createCniDouble(ovn) : undefined;
  const annotations = full ? podAnnotations(kube, 250) : undefined;
  if (cni !== undefined) await cni.addNode('node-1');
  step(`burst of ${count} pods`);
  const tx0 = await transacts(ctl);
  const t0 = performance.now();
  const installed = cni?.addPods(Array.from({ length: count }, (_, i) => ({ pod: `p${i}`, namespace: NS })), (ns, pod) => annotations?.get(ns, pod), 600_000);
  const burst = await runBurst({ apiUrl: api.url, namespace: NS, prefix: 'p', count, pids: { controller: ctl.ctl.proc.pid, apiserver: api.pid }, doneAnnotation: 'ovn.kubernetes.io/routed', timeoutMs: 600_000 });
  out['toRouted'] = burst;
  const tx = (await transacts(ctl)) - tx0;
  out['nbTransactions'] = { total: tx, perPod: Math.round((tx / count) * 1000) / 1000 };
  if (installed !== undefined) {
    const times = [...(await installed).values()].sort((a, b) => a - b);
    const ms = performance.now() - t0;
    out['toOvnInstalled'] = { ms: Math.round(ms), podsPerSec: Math.round((count * 1000) / ms), p50: times[Math.floor(times.length / 2)], max: times.at(-1) };
    annotations?.stop();
  }
  const names = await lspNames(ovn);
  out['lsps'] = { total: names.length, duplicates: names.length - new Set(names).size };
  step('restart');
  await ctl.close();
  ctl = undefined;
  const t1 = performance.now();
  ctl = await startController({ kubeconfig: api.kubeconfig, name: 'ovn-bench-2', args, ...entry });
  const readyWallMs = Math.round(performance.now() - t1);
  // Ready can come before the Lease (a standby is Ready): the term's start-up reconcile is its log line.
  const second = ctl;
  await waitFor('northbound reconciled', () => Promise.resolve(reconciledMs(second) !== undefined), 120_000);
  const line = second.ctl.logs.find((l) => l['msg'] === 'northbound reconciled');
  const rebuilt = second.ctl.logs.find((l) => l['msg'] === 'IPAM rebuilt');
  out['restart'] = { pods: count, ports: names.length, readyMs: Math.round(second.readyMs), spawnToReadyWallMs: readyWallMs, spawnToNbReconciledMs: Date.parse(String(line?.['time'] ?? '')) - second.spawnedAt, ipamRebuildMs: rebuilt?.['ms'], nbReconcileMs: line?.['ms'], repaired: line?.['repaired'], transactsAtStart: await transacts(second) };
} finally {
  await ctl?.close();
  await api.close();
  await ovn.stop();
}
process.stdout.write(`${JSON.stringify(out)}\n`);
