// Summarizes V8 .cpuprofile files: self time per function (name, file:line), as % of the
// profile's sampled time, with idle and GC shown as their own rows.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

export interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface HotSpot {
  readonly fn: string;
  readonly pct: number;
}

function label(f: CallFrame): string {
  const root = process.cwd();
  const url = f.url.startsWith('file://') ? relative(root, new URL(f.url).pathname) : f.url;
  const name = f.functionName === '' ? '(anonymous)' : f.functionName;
  return url === '' ? name : `${url.replace(/^node_modules\//, 'nm/')} ${name}:${f.lineNumber + 1}`;
}

/** Inclusive time (self + callees) of the project's own functions (`own` matches their label). */
function inclusive(p: Profile, own: RegExp): Map<string, number> {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const seen = new Set<string>();
    for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (node === undefined) break;
      const key = label(node.callFrame);
      if (own.test(key)) seen.add(key);
    }
    for (const key of seen) totals.set(key, (totals.get(key) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  return totals;
}

/** Top `top` self-time entries of one profile, plus the share of (idle), (garbage collector) and busy time. */
export function summarizeProfile(
  p: Profile,
  top: number,
): { sampledMs: number; busyPct: number; gcPct: number; top: HotSpot[]; byFile: HotSpot[]; inclusive: HotSpot[] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i] as number);
    const dt = p.timeDeltas[i] ?? 0;
    if (node === undefined) continue;
    total += dt;
    const key = label(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    const file = key.includes(' ') ? key.slice(0, key.indexOf(' ')) : key;
    files.set(file, (files.get(file) ?? 0) + dt);
  }
  const pct = (x: number): number => Math.round((x * 1000) / Math.max(1, total)) / 10;
  const idle = self.get('(idle)') ?? 0;
  const busy = total - idle;
  const rank = (m: Map<string, number>): HotSpot[] =>
    [...m.entries()].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, t]) => ({ fn, pct: Math.round((t * 1000) / Math.max(1, busy)) / 10 }));
  const own = inclusive(p, /^(dist|src|test\/support)\//);
  return { sampledMs: Math.round(total / 1000), busyPct: pct(busy), gcPct: pct(self.get('(garbage collector)') ?? 0), top: rank(self), byFile: rank(files), inclusive: rank(own) };
}

/** Every *.cpuprofile in `dir`, summarized; hot-spot percentages are of busy (non-idle) time. */
export async function summarizeProfiles(dir: string, top: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const files = (await readdir(dir, { recursive: true })).filter((x) => x.endsWith('.cpuprofile'));
  for (const f of files) {
    const summary = summarizeProfile(JSON.parse(await readFile(join(dir, f), 'utf8')) as Profile, top);
    // A worker thread's profile (tsx's loader) is near idle: keep only the busy ones.
    if (summary.busyPct >= 5) out[f] = { path: join(dir, f), ...summary };
  }
  return out;
}
