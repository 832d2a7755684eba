/**
 * End to end on the local API server with the BUILT controller (run `npm run build` first):
 * pods/s for a 1k and a 10k burst, probe latency during the 10k burst (vs a raw node:http floor),
 * /metrics scrape time at 10k pods, restart-to-Ready with 10k allocated pods, RSS at 10k and 50k.
 * Run: node --import tsx bench/controller.bench.ts [--quick] [--profile DIR] [--workers N]
 * Prints one JSON line. --quick: 200/2,000 pods and a step to 4,000 (not 50k). --profile: --cpu-prof on the
 * controller and API server processes; hot spots are summarized in the line (and profiles kept in DIR).
 * --heap DIR: after the big burst, a heap snapshot of the controller (kept in DIR), summarized.
 * --node-options "FLAGS": extra Node.js flags for the controller processes (NODE_OPTIONS).
 * --entry FILE: run another build's entry instead of dist/main.js (before/after runs of two commits).
 * --no-huge: skip the 50k step. --workers N: the controller's --worker-num (default 3, its default).
 * --pods realistic|tiny: realistic (default) POSTs ~8.7 KB pods (bench/support/realistic-pod.ts:
 * labels, annotations, managedFields, env, volumes; the size is in the line as podBytes); tiny
 * POSTs the test suite's 200-byte pod, as runs before 2026-12 did.
 * The step to 50k runs with a standby replica; when half of that step's pods are created the
 * leader is SIGKILLed and the standby takes over (lease 10 s): `takeover` reports its peak RSS
 * from the kill to the end of the step (VmHWM reset at the kill) against its RSS after, at 50k;
 * `memoryHugeSettled` samples it again after 20 s more without load.
 * --ovn: a local NB ovsdb-server (test/support/ovn) is programmed too (`--ovn-nb-addr`); the pods'
 * nodes exist as Node objects, a pod is done at `ovn.kubernetes.io/routed: "true"` (not `allocated`),
 * and NB transactions per pod are reported. Off when ovsdb-server is not installed (said in the line).
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { namespaceObject, PATHS } from '../test/support/objects.js';
import { nodeObject, NODES_PATH } from '../test/support/ovn/e2e.js';
import { ovnMissing, startLocalOvn } from '../test/support/ovn/local-ovn.js';
import type { LocalOvn } from '../test/support/ovn/local-ovn.js';
import { runBurst } from './support/burst.js';
import { summarizeProfiles } from './support/cpuprofile.js';
import { summarizeHeapSnapshot } from './support/heapsnapshot.js';
import { httpJson } from './support/kube-http.js';
import { hwmKiB, memoryBreakdown, resetHwm, rssKiB, startApiServerProcess, startController } from './support/procs.js';
import { realisticPod, realisticPodBytes } from './support/realistic-pod.js';
import type { ApiServerProcess, Controller, ControllerOptions } from './support/procs.js';
import { controllerInternals, eventLoopSinceLastScrape, scrapeFigures } from './support/scrape.js';
import { startFloorServer, startProber } from './support/side-procs.js';
import { machine } from './support/stats.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    profile: { type: 'string' },
    heap: { type: 'string' },
    workers: { type: 'string' },
    'node-options': { type: 'string' },
    'no-huge': { type: 'boolean' },
    pods: { type: 'string', default: 'realistic' },
    ovn: { type: 'boolean' },
    entry: { type: 'string' },
  },
});
if (values.pods !== 'realistic' && values.pods !== 'tiny') throw new Error(`--pods: expected realistic or tiny, got \`${values.pods}\``);
const podBody = values.pods === 'realistic' ? realisticPod : undefined;
const ovnWanted = values.ovn === true;
const ovnAbsent = ovnWanted ? ovnMissing() : undefined;
const withOvn = ovnWanted && ovnAbsent === undefined;
if (ovnAbsent !== undefined) process.stderr.write(`# --ovn asked for but OVN is missing (${ovnAbsent}): measuring without northbound\n`);
const body = { ...(podBody === undefined ? {} : { podBody }), ...(withOvn ? { doneAnnotation: 'ovn.kubernetes.io/routed' } : {}) };
/** Set once the local NB runs (with --ovn): every controller of the run programs it. */
let ovnArgs: string[] = [];
const quick = values.quick === true;
const SIZES = quick ? { small: 200, big: 2_000, huge: values['no-huge'] === true ? 0 : 4_000 } : { small: 1_000, big: 10_000, huge: values['no-huge'] === true ? 0 : 50_000 };
const workers = Number(values.workers ?? 3);
const NS = 'bench';

const MEMWATCH_FILE = join(tmpdir(), `bench-memwatch-${process.pid}.json`);

/** RSS now and at peak from /proc, then the process's own breakdown (heap used/committed, external, handles). */
async function memory(c: Controller, pods: number): Promise<Record<string, unknown>> {
  const pid = c.ctl.proc.pid;
  const proc = { pods, rssMiB: Math.round(rssKiB(pid) / 1024), hwmMiB: Math.round(hwmKiB(pid) / 1024) };
  return { ...proc, breakdown: await memoryBreakdown(c, MEMWATCH_FILE) };
}

async function setup(api: ApiServerProcess): Promise<void> {
  const client = httpJson(api.url, 1);
  try {
    const r = await client.call('POST', PATHS.namespaces, namespaceObject(NS));
    if (r.status !== 201) throw new Error(`namespace: HTTP ${r.status}`);
    // The realistic pods run on node-0..node-99 (the tiny ones on node-1): with OVN each node gets its port and port group.
    for (let i = 0; withOvn && i < 100; i++) {
      const n = await client.call('POST', NODES_PATH, nodeObject(`node-${i}`, `172.18.${i >> 8}.${(i & 255) + 2}`));
      if (n.status !== 201) throw new Error(`node-${i}: HTTP ${n.status}`);
    }
    const deadline = Date.now() + 30_000;
    while ((await client.call('GET', `${PATHS.subnets}/ovn-default`)).status !== 200) {
      if (Date.now() > deadline) throw new Error('default subnet not created within 30s');
      await new Promise((res) => setTimeout(res, 50));
    }
  } finally {
    client.close();
  }
}

function pids(api: ApiServerProcess, ctl: Controller): Record<string, number | undefined> {
  return { controller: ctl.ctl.proc.pid, apiserver: api.pid, bench: process.pid };
}

async function burstWithProbes(api: ApiServerProcess, ctl: Controller, count: number): Promise<Record<string, unknown>> {
  const floor = await startFloorServer();
  try {
    const prober = await startProber(
      [
        { name: 'livez', port: ctl.healthPort, path: '/livez' },
        { name: 'readyz', port: ctl.healthPort, path: '/readyz' },
        { name: 'floor_raw_http', port: floor.port, path: '/' },
      ],
      20,
    );
    let burst;
    try {
      burst = await runBurst({ apiUrl: api.url, namespace: NS, prefix: 'b-', count, pids: pids(api, ctl), ...body });
      // No scrape happened before: these cover the controller's life so far, mostly this burst.
      burst = { ...burst, controllerEventLoop: await eventLoopSinceLastScrape(ctl.metricsPort) };
    } finally {
      const probes = await prober.stop();
      burst = burst === undefined ? undefined : { ...burst, probes };
    }
    return burst as Record<string, unknown>;
  } finally {
    floor.close();
  }
}

/** REST requests per created pod over both bursts (start-up requests included), total and by verb. */
function requestsPerPod(internals: Record<string, { count: number }>, created: number): Record<string, number> {
  const byVerb: Record<string, number> = {};
  let total = 0;
  for (const [key, v] of Object.entries(internals)) {
    const verb = /^rest_client_request_duration_seconds\{.*verb="([A-Z]+)"/.exec(key)?.[1];
    if (verb === undefined) continue;
    byVerb[verb] = (byVerb[verb] ?? 0) + v.count;
    total += v.count;
  }
  const per = (n: number) => Math.round((n / created) * 100) / 100;
  return { total: per(total), ...Object.fromEntries(Object.entries(byVerb).map(([k, n]) => [k, per(n)])) };
}

/** `after` minus `before`, series by series (a series new since `before` counts whole). */
function countsSince(before: Record<string, { count: number }>, after: Record<string, { count: number }>): Record<string, { count: number }> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, { count: v.count - (before[k]?.count ?? 0) }]));
}

/** NB `transact` requests per created pod over both bursts (start-up ones included). */
function nbTransactionsPerPod(internals: Record<string, { count: number }>, created: number): number {
  let n = 0;
  for (const [key, v] of Object.entries(internals)) if (/^ovs_client_request_latency_milliseconds\{.*method="transact"/.test(key)) n += v.count;
  return Math.round((n / created) * 1000) / 1000;
}

/** How many log lines the controller wrote, by message (top 8): logging is work on its event loop. */
function logCounts(c: Controller): Record<string, number> {
  const counts = new Map<string, number>();
  for (const l of c.ctl.logs) counts.set(String(l['msg']), (counts.get(String(l['msg'])) ?? 0) + 1);
  return { total: c.ctl.logs.length, ...Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).slice(0, 8)) };
}

/** The controller's first log lines as `+ms msg` from spawn (an informer's line names it), with Ready placed among them. */
function timeline(c: Controller): string[] {
  const lines = c.ctl.logs.slice(0, 20).map((l) => ({ t: Date.parse(String(l['time'])) - c.spawnedAt, msg: l['informer'] === undefined ? String(l['msg']) : `${String(l['msg'])} (${String(l['informer'])})` }));
  lines.push({ t: c.readyMs, msg: '<- /readyz 200 seen by the bench' });
  return lines.sort((a, b) => a.t - b.t).map((l) => `+${Math.round(l.t)}ms ${l.msg}`);
}

/** Signals the controller to write a heap snapshot, waits until the file stops growing, summarizes it. */
async function heapSnapshot(c: Controller, dir: string): Promise<Record<string, unknown>> {
  await mkdir(dir, { recursive: true });
  const before = new Set(await readdir(dir));
  c.ctl.kill('SIGUSR2');
  const deadline = Date.now() + 120_000;
  let file: string | undefined;
  let size = -1;
  for (;;) {
    await settle(500);
    file ??= (await readdir(dir)).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (file !== undefined) {
      const now = (await stat(join(dir, file))).size;
      if (now === size && now > 0) break;
      size = now;
    }
    if (Date.now() > deadline) throw new Error('no heap snapshot within 120s');
  }
  return { file: join(dir, file), rssAfterSnapshotMiB: Math.round(rssKiB(c.ctl.proc.pid) / 1024), ...(await summarizeHeapSnapshot(join(dir, file), 20)) };
}

async function settle(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

type Out = Record<string, unknown>;
/** The controller currently running, so `finally` stops whichever phase failed. */
interface Live {
  ctl?: Controller;
  standby?: Controller;
}

function controllerDiagnostics(first: boolean): Partial<ControllerOptions> {
  return {
    memwatchFile: MEMWATCH_FILE,
    ...(values.entry === undefined ? {} : { entry: values.entry }),
    nodeOptions: values['node-options'] ?? '',
    args: ovnArgs,
    ...(first && values.profile !== undefined ? { cpuProfDir: values.profile } : {}),
    ...(first && values.heap !== undefined ? { heapDir: values.heap } : {}),
  };
}

/** First controller: both bursts, memory, scrape, optional heap snapshot; then SIGTERM. */
async function firstRun(api: ApiServerProcess, live: Live, out: Out): Promise<void> {
  const ctl = await startController({ kubeconfig: api.kubeconfig, name: 'bench-ctl-a', workers, ...controllerDiagnostics(true) });
  live.ctl = ctl;
  out['firstReadyMs'] = Math.round(ctl.readyMs);
  await setup(api);
  await settle(2000);
  out['memoryIdle'] = await memory(ctl, 0);
  out['burstSmall'] = await runBurst({ apiUrl: api.url, namespace: NS, prefix: 's-', count: SIZES.small, pids: pids(api, ctl), ...body });
  // Counts before the big burst, so its own requests per pod leave out the start-up and Node
  // work (100 Node IP objects and annotation patches with --ovn) that `requestsPerPod` includes.
  const beforeBig = (await controllerInternals(ctl.metricsPort)) as Record<string, { count: number }>;
  out['burstBig'] = await burstWithProbes(api, ctl, SIZES.big);
  await settle(2000);
  out['memoryAfterBurst'] = await memory(ctl, SIZES.small + SIZES.big);
  out['internalsAfterBurst'] = await controllerInternals(ctl.metricsPort);
  out['requestsPerPod'] = requestsPerPod(out['internalsAfterBurst'] as Record<string, { count: number }>, SIZES.small + SIZES.big);
  out['requestsPerPodBigBurst'] = requestsPerPod(countsSince(beforeBig, out['internalsAfterBurst'] as Record<string, { count: number }>), SIZES.big);
  if (withOvn) out['nbTransactionsPerPod'] = nbTransactionsPerPod(out['internalsAfterBurst'] as Record<string, { count: number }>, SIZES.small + SIZES.big);
  out['logLinesAfterBurst'] = logCounts(ctl);
  out['scrape'] = await scrapeFigures(ctl.metricsPort, quick ? 5 : 20);
  if (values.heap !== undefined) out['heap'] = await heapSnapshot(ctl, values.heap);
  await ctl.close();
  out['firstExitCode'] = ctl.ctl.proc.exitCode;
}

/** Second controller over the allocated pods: time to Ready, memory, then the step to the huge size. */
async function secondRun(api: ApiServerProcess, live: Live, out: Out): Promise<void> {
  const cached = SIZES.small + SIZES.big;
  const ctl = await startController({ kubeconfig: api.kubeconfig, name: 'bench-ctl-b', workers, ...controllerDiagnostics(false) });
  live.ctl = ctl;
  await settle(2000);
  // Under load the rebuild can end after Ready plus the settle: wait for its line (bounded).
  for (let i = 0; i < 60 && !ctl.ctl.logs.some((l) => l['msg'] === 'IPAM rebuilt'); i++) await settle(500);
  const rebuilt = ctl.ctl.logs.find((l) => l['msg'] === 'IPAM rebuilt');
  const ipamRebuilt = rebuilt === undefined ? null : { restored: rebuilt['restored'], ms: rebuilt['ms'] };
  out['restart'] = { pods: cached, readyMs: Math.round(ctl.readyMs), ipamRebuilt, timeline: timeline(ctl) };
  out['memoryAfterRestart'] = await memory(ctl, cached);
  if (SIZES.huge === 0) return;
  await takeoverRun(api, ctl, live, out);
}

/** The step to the huge size with a standby; the leader is killed halfway and the standby takes over. */
async function takeoverRun(api: ApiServerProcess, leader: Controller, live: Live, out: Out): Promise<void> {
  const cached = SIZES.small + SIZES.big;
  const standby = await startController({ kubeconfig: api.kubeconfig, name: 'bench-ctl-c', workers, ...controllerDiagnostics(false) });
  live.standby = standby;
  await settle(2000);
  out['standbyBeforeTakeover'] = await memory(standby, cached);
  const count = SIZES.huge - cached;
  let killedAt = 0;
  let leaderAliveAtKill = false;
  const midway = {
    created: Math.floor(count / 2),
    action: () => {
      resetHwm(standby.ctl.proc.pid);
      killedAt = Date.now();
      // A leader that lost its lease under load has exited already: the takeover came earlier.
      leaderAliveAtKill = leader.ctl.proc.exitCode === null && leader.ctl.proc.signalCode === null;
      leader.ctl.kill('SIGKILL');
    },
  };
  const allPids = { ...pids(api, standby), leader: leader.ctl.proc.pid };
  out['burstToHuge'] = await runBurst({ apiUrl: api.url, namespace: NS, prefix: 'h-', count, pids: allPids, timeoutMs: 600_000, midway, ...body });
  const peakMiB = Math.round(hwmKiB(standby.ctl.proc.pid) / 1024);
  await settle(3000);
  out['memoryHuge'] = await memory(standby, SIZES.huge);
  const steadyMiB = Math.round(rssKiB(standby.ctl.proc.pid) / 1024);
  const at = (msg: string) => standby.ctl.logs.findLast((l) => l['msg'] === msg);
  const leading = at('started leading');
  const rebuilt = at('IPAM rebuilt');
  const retries = standby.ctl.logs.filter((l) => l['msg'] === 'IPAM rebuild list failed; retrying');
  out['takeover'] = {
    killedAtPods: cached + midway.created,
    leaderAliveAtKill,
    leadingAfterKillMs: leading === undefined ? null : Date.parse(String(leading['time'])) - killedAt,
    ipamRebuilt: rebuilt === undefined ? null : { restored: rebuilt['restored'], ms: rebuilt['ms'] },
    // Each failed attempt of the rebuild's lists starts them over (e.g. a continue token expired).
    rebuildListRetries: retries.map((l) => String(l['err']).slice(0, 160)),
    peakMiB,
    steadyMiB,
    peakOverSteady: Math.round((peakMiB / steadyMiB) * 100) / 100,
  };
  // 3 s after a minutes-long burst the heap still holds its garbage (heap used 255-435 MiB for the
  // same 50k pods in two runs): a second sample, idle for 20 s more, is what the new leader keeps.
  await settle(20_000);
  out['memoryHugeSettled'] = await memory(standby, SIZES.huge);
}

async function main(): Promise<void> {
  const profDir = values.profile;
  if (profDir !== undefined) await mkdir(profDir, { recursive: true });
  const out: Out = { bench: 'controller', quick, workers, nodeOptions: values['node-options'] ?? '', sizes: SIZES, pods: values.pods, podBytes: podBody === undefined ? null : realisticPodBytes() };
  out['ovn'] = withOvn ? 'northbound (local ovsdb-server)' : ovnAbsent === undefined ? 'off' : `off: ${ovnAbsent}`;
  const ovn: LocalOvn | undefined = withOvn ? await startLocalOvn() : undefined;
  if (ovn !== undefined) ovnArgs = [`--ovn-nb-addr=${ovn.nbAddr}`];
  const api = await startApiServerProcess(profDir === undefined ? {} : { cpuProfDir: profDir });
  const live: Live = {};
  try {
    await firstRun(api, live, out);
    await secondRun(api, live, out);
  } catch (err) {
    // Say what the controllers were doing: a bench that only times out explains nothing.
    for (const c of [live.ctl, live.standby]) {
      if (c === undefined) continue;
      process.stderr.write(`# ${c.ctl.proc.pid}: exit ${c.ctl.proc.exitCode ?? c.ctl.proc.signalCode ?? 'running'}; last log lines:\n`);
      for (const l of c.ctl.logs.slice(-15)) process.stderr.write(`#   ${JSON.stringify(l).slice(0, 400)}\n`);
    }
    throw err;
  } finally {
    await live.ctl?.close();
    await live.standby?.close();
    await api.close();
    await ovn?.stop();
    await rm(MEMWATCH_FILE, { force: true });
  }
  if (profDir !== undefined) out['profiles'] = await summarizeProfiles(profDir, 12);
  console.log(JSON.stringify({ ...out, ...(await machine()) }));
}

await main();
