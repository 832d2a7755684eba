// Child process: probes each target kubelet-style (fresh connection, 1 s timeout) every
// `intervalMs` until stdin closes, then prints one JSON line of latency summaries.
// Kept out of the load-generating process so its event loop does not inflate the figures.
// Usage: node --import tsx bench/support/prober.ts '<json targets>' <intervalMs>
import { probe } from '../../test/support/kubelet.js';
import { summarize } from './stats.js';

interface Target {
  readonly name: string;
  readonly port: number;
  readonly path: string;
}

const targets = JSON.parse(process.argv[2] ?? '[]') as Target[];
const intervalMs = Number(process.argv[3] ?? 20);
let running = true;

async function loop(t: Target, samples: number[], failures: string[]): Promise<void> {
  while (running) {
    const started = performance.now();
    try {
      const r = await probe(t.port, t.path, { timeoutMs: 1000 });
      samples.push(r.ms);
      if (r.status !== 200) failures.push(`HTTP ${r.status}`);
    } catch (err) {
      samples.push(performance.now() - started);
      failures.push((err as Error).message);
    }
    const wait = intervalMs - (performance.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

const results = targets.map((t) => ({ t, samples: [] as number[], failures: [] as string[] }));
const loops = results.map((r) => loop(r.t, r.samples, r.failures));
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', () => {
  running = false;
  void Promise.all(loops).then(() => {
    const out: Record<string, unknown> = {};
    for (const r of results) out[r.t.name] = { ...summarize(r.samples), failures: r.failures.length, firstFailure: r.failures[0] };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    process.exit(0);
  });
});
