/** Latency summary in ms (nearest-rank percentiles), rounded to 0.01 ms. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  const r = (x: number): number => Math.round(x * 100) / 100;
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  return { count: sorted.length, p50: r(at(0.5)), p99: r(at(0.99)), max: r(sorted[sorted.length - 1] ?? 0), mean: r(mean) };
}

/** The upper median (the middle of an odd count, the higher middle of an even one); NaN when empty. */
export function median(xs: readonly number[]): number {
  return [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;
}

/** Which build runs first in round `r` of an A/B: A B, then B A, and so on, so the machine's drift falls on both alike. */
export function abOrder(r: number): readonly ['a', 'b'] | readonly ['b', 'a'] {
  return r % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const);
}

/** One side of an interleaved A/B: its entry, every round, and each figure's median. */
export interface AbSide {
  readonly entry: string;
  readonly runs: ReadonlyArray<Record<string, number>>;
  readonly median: Record<string, number>;
}

/**
 * The A/B benches' summary: per side the rounds and each figure's median (figures named in
 * `skip`, e.g. the load average, left out), and B's median over A's, rounded to 0.01.
 */
export function compareAb(entries: { readonly a: string; readonly b: string }, runs: Record<'a' | 'b', ReadonlyArray<Record<string, number>>>, skip: readonly string[] = ['load1']): { a: AbSide; b: AbSide; ratioBtoA: Record<string, number> } {
  const keys = Object.keys(runs.a[0] ?? {}).filter((k) => !skip.includes(k));
  const side = (s: 'a' | 'b'): AbSide => ({ entry: entries[s], runs: runs[s], median: Object.fromEntries(keys.map((k) => [k, median(runs[s].map((x) => x[k] ?? NaN))])) });
  const a = side('a');
  const b = side('b');
  return { a, b, ratioBtoA: Object.fromEntries(keys.map((k) => [k, Math.round(((b.median[k] ?? NaN) / (a.median[k] ?? NaN)) * 100) / 100])) };
}

/** Machine and build facts every bench line carries. */
export async function machine(): Promise<Record<string, unknown>> {
  const { cpus, loadavg, totalmem } = await import('node:os');
  const { execFileSync } = await import('node:child_process');
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    nproc: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    loadavg1: Number(loadavg()[0]?.toFixed(2)),
    commit,
    date: new Date().toISOString(),
  };
}
