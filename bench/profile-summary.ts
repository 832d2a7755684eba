/**
 * Summarizes every .cpuprofile under a directory (self time, per file, inclusive time of our own
 * functions). Run: node --import tsx bench/profile-summary.ts DIR [top]
 * e.g. after `node --cpu-prof --cpu-prof-dir=.tmp/prof --import tsx bench/metrics-sdk.bench.ts --quick`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { summarizeProfiles } from './support/cpuprofile.js';
import type { Profile } from './support/cpuprofile.js';
import { longTasks } from './support/long-tasks.js';

const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write('usage: node --import tsx bench/profile-summary.ts DIR [top]\n');
  process.exit(2);
}
const summaries = await summarizeProfiles(dir, Number(process.argv[3] ?? 15));
for (const [file, s] of Object.entries(summaries) as [string, { sampledMs: number; busyPct: number; gcPct: number; top: { fn: string; pct: number }[]; byFile: { fn: string; pct: number }[]; inclusive: { fn: string; pct: number }[] }][]) {
  process.stdout.write(`${file}: ${s.sampledMs} ms sampled, ${s.busyPct}% busy, GC ${s.gcPct}% (percentages below are of busy time)\n`);
  for (const [title, rows] of [['self', s.top], ['by file', s.byFile], ['inclusive (own code)', s.inclusive]] as const) {
    process.stdout.write(`  ${title}:\n`);
    for (const r of rows) process.stdout.write(`    ${r.pct.toFixed(1).padStart(5)}%  ${r.fn}\n`);
  }
}

// The longest single tasks (one call on the stack throughout), which is what delays probes.
for (const f of (await readdir(dir, { recursive: true })).filter((x) => x.endsWith('.cpuprofile'))) {
  if (!(f in summaries)) continue;
  process.stdout.write(`${f}: longest tasks\n`);
  for (const t of longTasks(JSON.parse(await readFile(join(dir, f), 'utf8')) as Profile, 6)) {
    process.stdout.write(`  ${String(t.ms).padStart(5)} ms  ${t.stack.slice(-4).join(' < ')}\n`);
  }
}
