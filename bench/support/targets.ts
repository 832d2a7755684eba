// The figures of bench/RESULTS.md and their targets, read from the benches' JSON lines.

export interface Row {
  readonly figure: string;
  readonly measured: string;
  readonly target: string;
  readonly met: boolean;
}

type Json = Record<string, unknown>;

/** A nested number by dotted path, or undefined. */
function num(o: Json | undefined, path: string): number | undefined {
  let cur: unknown = o;
  for (const k of path.split('.')) cur = typeof cur === 'object' && cur !== null ? (cur as Json)[k] : undefined;
  return typeof cur === 'number' ? cur : undefined;
}

interface Spec {
  readonly figure: string;
  readonly bench: string;
  readonly path: string;
  readonly unit: string;
  readonly limit: number;
  /** `min`: measured must be >= limit; `max`: <= limit. */
  readonly kind: 'min' | 'max';
  /** Label override, e.g. to say how many pods the run had. */
  readonly label?: (r: Json | undefined) => string;
}

const pods = (path: string) => (r: Json | undefined) => String(num(r, path) ?? '?');

const SPECS: readonly Spec[] = [
  { figure: 'IPAM allocations/s, IPv4 /8', bench: 'ipam', path: 'results.ipv4_slash8.bestAllocsPerSec', unit: '/s', limit: 1_000_000, kind: 'min' },
  { figure: 'IPAM allocations/s, IPv6 /64', bench: 'ipam', path: 'results.ipv6_slash64.bestAllocsPerSec', unit: '/s', limit: 1_000_000, kind: 'min' },
  { figure: 'pods/s end to end, small burst', bench: 'controller', path: 'burstSmall.podsPerSec', unit: ' pods/s', limit: 1000, kind: 'min', label: pods('burstSmall.pods') },
  { figure: 'pods/s end to end, big burst', bench: 'controller', path: 'burstBig.podsPerSec', unit: ' pods/s', limit: 1000, kind: 'min', label: pods('burstBig.pods') },
  { figure: 'start to Ready with allocated pods', bench: 'controller', path: 'restart.readyMs', unit: ' ms', limit: 3000, kind: 'max', label: pods('restart.pods') },
  { figure: 'RSS after the big burst', bench: 'controller', path: 'memoryAfterBurst.rssMiB', unit: ' MiB', limit: 200, kind: 'max', label: pods('memoryAfterBurst.pods') },
  { figure: 'RSS after restart', bench: 'controller', path: 'memoryAfterRestart.rssMiB', unit: ' MiB', limit: 200, kind: 'max', label: pods('memoryAfterRestart.pods') },
  { figure: 'RSS at the huge step', bench: 'controller', path: 'memoryHuge.rssMiB', unit: ' MiB', limit: 600, kind: 'max', label: pods('memoryHuge.pods') },
  { figure: '/livez p99 during the big burst', bench: 'controller', path: 'burstBig.probes.livez.p99', unit: ' ms', limit: 20, kind: 'max' },
  { figure: '/livez max during the big burst', bench: 'controller', path: 'burstBig.probes.livez.max', unit: ' ms', limit: 250, kind: 'max' },
  { figure: '/readyz p99 during the big burst', bench: 'controller', path: 'burstBig.probes.readyz.p99', unit: ' ms', limit: 20, kind: 'max' },
  { figure: '/readyz max during the big burst', bench: 'controller', path: 'burstBig.probes.readyz.max', unit: ' ms', limit: 250, kind: 'max' },
  { figure: 'Counter.add / prom-client (reused attrs)', bench: 'metrics-sdk', path: 'results.counterReused.ratio', unit: 'x', limit: 1.2, kind: 'max' },
  { figure: 'Histogram.record / prom-client (reused attrs)', bench: 'metrics-sdk', path: 'results.histogramReused.ratio', unit: 'x', limit: 1.2, kind: 'max' },
  { figure: 'Counter.add / prom-client (inline attrs)', bench: 'metrics-sdk', path: 'results.counterInline.ratio', unit: 'x', limit: 1.2, kind: 'max' },
  { figure: 'Histogram.record / prom-client (inline attrs)', bench: 'metrics-sdk', path: 'results.histogramInline.ratio', unit: 'x', limit: 1.2, kind: 'max' },
  { figure: '/metrics scrape max, direct', bench: 'controller', path: 'scrape.direct.max', unit: ' ms', limit: 50, kind: 'max' },
  { figure: '/metrics scrape, Prometheus scrape_duration_seconds (max 1m)', bench: 'controller', path: 'scrape.prometheus.maxScrapeMs1m', unit: ' ms', limit: 50, kind: 'max' },
];

/** One row per figure present in `results` (a figure whose bench did not run is left out). */
export function evaluate(results: Record<string, Json>): Row[] {
  const rows: Row[] = [];
  for (const s of SPECS) {
    const r = results[s.bench];
    const v = num(r, s.path);
    if (v === undefined) continue;
    const figure = s.label === undefined ? s.figure : `${s.figure} (${s.label(r)} pods)`;
    const met = s.kind === 'min' ? v >= s.limit : v <= s.limit;
    rows.push({ figure, measured: `${v.toLocaleString('en-US')}${s.unit}`, target: `${s.kind === 'min' ? '>=' : '<='} ${s.limit.toLocaleString('en-US')}${s.unit}`, met });
  }
  return rows;
}
