// One pod burst: create `count` pods with bounded concurrency over keep-alive HTTP and time,
// from a pod watch stream, when each carries `ovn.kubernetes.io/allocated: "true"`.
import { ANN, PATHS, podObject } from '../../test/support/objects.js';
import { httpJson, watch } from './kube-http.js';
import type { WatchEvent } from './kube-http.js';
import { cpuSeconds, threadCpuSeconds } from './procs.js';

export interface BurstOptions {
  readonly apiUrl: string;
  readonly namespace: string;
  /** Pod names are `${prefix}${i}`. */
  readonly prefix: string;
  readonly count: number;
  /** POSTs in flight; default 64. */
  readonly concurrency?: number;
  /** Processes whose CPU seconds over the burst are reported, by name (the bench itself: process.pid). */
  readonly pids: Record<string, number | undefined>;
  readonly timeoutMs?: number;
  /** The pod to POST for index `i`; default the tiny test pod (test/support/objects.ts). */
  readonly podBody?: (namespace: string, name: string, i: number) => unknown;
  /** Called once, when this many pods have been created (e.g. to kill the leader mid-burst). */
  readonly midway?: { readonly created: number; readonly action: () => void };
  /** The annotation that marks a pod done (value `"true"`); default `ovn.kubernetes.io/allocated`. */
  readonly doneAnnotation?: string;
}

export interface BurstResult {
  readonly pods: number;
  /** First POST to last 201. */
  readonly createMs: number;
  readonly createsPerSec: number;
  /** First POST to the last pod seen allocated on the watch. */
  readonly endToEndMs: number;
  readonly podsPerSec: number;
  /** Per pod, POST start to allocated seen on the watch. */
  readonly latencyMs: { p50: number; p99: number; max: number };
  /** CPU seconds each process spent during the burst (utime+stime). */
  readonly cpuSeconds: Record<string, number>;
  /** `cpuSeconds.controller` per pod, ms. */
  readonly controllerCpuMsPerPod: number;
  /** The same by thread name (`MainThread`, `V8Worker` for V8's GC and compiler helpers, `health`), ms per pod. */
  readonly controllerCpuMsPerPodByThread: Record<string, number>;
}

function percentile(sorted: readonly number[], q: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0);
}

async function createAll(o: BurstOptions, posted: Float64Array): Promise<void> {
  const client = httpJson(o.apiUrl, o.concurrency ?? 64);
  const body = o.podBody ?? ((ns: string, name: string) => podObject(ns, name));
  let next = 0;
  let created = 0;
  const worker = async (): Promise<void> => {
    while (next < o.count) {
      const i = next++;
      posted[i] = performance.now();
      const r = await client.call('POST', PATHS.pods(o.namespace), body(o.namespace, `${o.prefix}${i}`, i));
      if (r.status !== 201) throw new Error(`create pod ${i}: HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 200)}`);
      if (++created === o.midway?.created) o.midway.action();
    }
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency ?? 64 }, worker));
  } finally {
    client.close();
  }
}

/** Runs one burst; rejects if not every pod is allocated within `timeoutMs` (default 300 s). */
export async function runBurst(o: BurstOptions): Promise<BurstResult> {
  const list = await httpJson(o.apiUrl, 1).call<{ metadata: { resourceVersion: string } }>('GET', `${PATHS.pods(o.namespace)}?limit=1`);
  const posted = new Float64Array(o.count);
  const doneAt = new Float64Array(o.count);
  let remaining = o.count;
  let allDone!: () => void;
  const finished = new Promise<void>((r) => (allDone = r));
  const onEvent = (e: WatchEvent): void => {
    const name = e.object.metadata.name;
    if (e.type !== 'MODIFIED' && e.type !== 'ADDED') return;
    if (!name.startsWith(o.prefix) || e.object.metadata.annotations?.[o.doneAnnotation ?? ANN.allocated] !== 'true') return;
    const i = Number(name.slice(o.prefix.length));
    if (doneAt[i] !== 0) return;
    doneAt[i] = performance.now();
    if (--remaining === 0) allDone();
  };
  const w = await watch(o.apiUrl, PATHS.pods(o.namespace), list.json.metadata.resourceVersion, onEvent);
  const cpu0 = Object.fromEntries(Object.entries(o.pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const threads0 = threadCpuSeconds(o.pids['controller']);
  const t0 = performance.now();
  try {
    await createAll(o, posted);
    const created = performance.now();
    const timeout = o.timeoutMs ?? 300_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${remaining} of ${o.count} pods not allocated after ${timeout} ms`)), timeout))),
      w.ended.then(() => Promise.reject(new Error('pod watch ended during the burst'))),
    ]).finally(() => clearTimeout(timer));
    const end = performance.now();
    const cpu: Record<string, number> = {};
    for (const [k, pid] of Object.entries(o.pids)) {
      const now = cpuSeconds(pid);
      // A process that exited during the burst (a killed leader) has no figure: /proc is gone.
      if (now === 0 && (cpu0[k] ?? 0) > 0) continue;
      cpu[k] = Math.round((now - (cpu0[k] ?? 0)) * 100) / 100;
    }
    const threads = threadCpuSeconds(o.pids['controller']);
    const byThread = Object.fromEntries(Object.entries(threads).map(([k, v]) => [k, Math.round(((v - (threads0[k] ?? 0)) * 1e6) / o.count) / 1000]).filter(([, v]) => (v as number) > 0));
    const lat = Array.from(doneAt, (d, i) => d - (posted[i] ?? 0)).sort((a, b) => a - b);
    return {
      pods: o.count,
      createMs: Math.round(created - t0),
      createsPerSec: Math.round((o.count * 1000) / (created - t0)),
      endToEndMs: Math.round(end - t0),
      podsPerSec: Math.round((o.count * 1000) / (end - t0)),
      latencyMs: { p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), max: percentile(lat, 1) },
      cpuSeconds: cpu,
      controllerCpuMsPerPod: Math.round(((cpu['controller'] ?? 0) * 1000 * 1000) / o.count) / 1000,
      controllerCpuMsPerPodByThread: byThread,
    };
  } finally {
    w.close();
  }
}
