// Finds the longest stretches of a .cpuprofile during which one call stayed on the stack (a
// long synchronous task or GC pause: what holds the event loop, and so health probes, up).
import type { Profile } from './cpuprofile.js';

export interface LongTask {
  readonly ms: number;
  /** Innermost frame common to every sample of the stretch, and its callers (outermost first). */
  readonly stack: readonly string[];
}

function frameLabel(f: { functionName: string; url: string; lineNumber: number }): string {
  const url = f.url.replace(/^file:\/\/.*?\/(dist|node_modules|test)\//, '$1/');
  return `${f.functionName === '' ? '(anonymous)' : f.functionName}${url === '' ? '' : ` ${url}:${f.lineNumber + 1}`}`;
}

/** The `top` longest stretches of consecutive samples sharing a stack prefix below the root, longest first. */
export function longTasks(p: Profile, top: number): LongTask[] {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const stackOf = (id: number): number[] => {
    const s: number[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) s.unshift(cur);
    return s.slice(1); // drop (root)
  };
  const found: LongTask[] = [];
  let prefix: number[] = [];
  let ms = 0;
  const flush = (): void => {
    if (prefix.length > 0 && ms > 0) found.push({ ms: Math.round(ms), stack: prefix.map((id) => frameLabel((byId.get(id) as { callFrame: { functionName: string; url: string; lineNumber: number } }).callFrame)) });
  };
  for (let i = 0; i < p.samples.length; i++) {
    const stack = stackOf(p.samples[i] as number);
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    const name = byId.get(stack[0] ?? -1)?.callFrame.functionName;
    if (name === '(idle)' || name === '(program)' || stack.length === 0) {
      flush();
      prefix = [];
      ms = 0;
      continue;
    }
    let k = 0;
    while (k < prefix.length && k < stack.length && prefix[k] === stack[k]) k++;
    if (k === 0) {
      flush();
      prefix = stack;
      ms = dt;
    } else {
      prefix = prefix.slice(0, k);
      ms += dt;
    }
  }
  flush();
  return found.sort((a, b) => b.ms - a.ms).slice(0, top);
}
