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
