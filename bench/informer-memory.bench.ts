/**
 * A/B of the pod informer's initial sync (what a new leader or a restart does first) over N
 * realistic pods (~8.7 KB each, bench/support/realistic-pod.ts) on the local API server: peak
 * RSS while syncing, RSS and heap after, sync time. Each build's compiled modules (a tsc outDir:
 * `dist/kube/index.js`, ...) run in a fresh child process with the controller's slim transform
 * and the product's V8 flags, `--rounds` times, interleaved (A B, B A, ...).
 * Run: node --import tsx bench/informer-memory.bench.ts --a OLD_OUTDIR --b NEW_OUTDIR [--pods 20000] [--rounds 3]
 * Prints one JSON line.
 */
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { namespaceObject, PATHS } from '../test/support/objects.js';
import { httpJson } from './support/kube-http.js';
import { startApiServerProcess } from './support/procs.js';
import { realisticPod } from './support/realistic-pod.js';
import { abOrder, median } from './support/stats.js';

const { values } = parseArgs({ options: { a: { type: 'string' }, b: { type: 'string' }, pods: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' } } });
if (values.a === undefined || values.b === undefined) throw new Error('informer-memory: --a and --b (compiled outDirs) are required');
const dirs = { a: values.a, b: values.b };
const PODS = Number(values.pods);
const NS = 'bench';
const CHILD = fileURLToPath(new URL('./support/informer-sync.mjs', import.meta.url));

async function createPods(url: string): Promise<number> {
  const client = httpJson(url, 64);
  try {
    if ((await client.call('POST', PATHS.namespaces, namespaceObject(NS))).status !== 201) throw new Error('namespace not created');
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < PODS) {
        const i = next++;
        const r = await client.call('POST', PATHS.pods(NS), realisticPod(NS, `b-${i}`, i));
        if (r.status !== 201) throw new Error(`pod ${i}: HTTP ${r.status}`);
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
    // What the server stores and lists, not what was sent.
    const one = await client.call('GET', `${PATHS.pods(NS)}/b-1`);
    return Buffer.byteLength(JSON.stringify(one.json));
  } finally {
    client.close();
  }
}

function syncOnce(dir: string, kubeconfig: string): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--max-semi-space-size=8', '--expose-gc', CHILD, dir, kubeconfig], { encoding: 'utf8', timeout: 300_000 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${dir}: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>);
    });
  });
}


async function main(): Promise<void> {
  const api = await startApiServerProcess({ history: 1000 });
  const runs: Record<'a' | 'b', Array<Record<string, number>>> = { a: [], b: [] };
  const load: number[] = [];
  let storedPodBytes = 0;
  try {
    storedPodBytes = await createPods(api.url);
    for (let r = 0; r < Number(values.rounds); r++) {
      for (const k of abOrder(r)) {
        load.push(Number(loadavg()[0]?.toFixed(2)));
        runs[k].push(await syncOnce(dirs[k], api.kubeconfig));
      }
    }
  } finally {
    await api.close();
  }
  const summary = (k: 'a' | 'b') => ({ dir: dirs[k], runs: runs[k], medianHwmMiB: median(runs[k].map((x) => x.hwmMiB ?? NaN)), medianSyncMs: median(runs[k].map((x) => x.syncMs ?? NaN)) });
  const a = summary('a');
  const b = summary('b');
  const ratio = (x: number, y: number) => Math.round((x / y) * 100) / 100;
  console.log(JSON.stringify({ bench: 'informer-memory', pods: PODS, storedPodBytes, load1: { min: Math.min(...load), max: Math.max(...load) }, a, b, ratioBtoA: { hwmMiB: ratio(b.medianHwmMiB, a.medianHwmMiB), syncMs: ratio(b.medianSyncMs, a.medianSyncMs) } }));
}

await main();
