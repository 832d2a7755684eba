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
  /** Dotted path into the bench's line, or a function of it for derived figures (ratios, per pod). */
  readonly path: string | ((r: Json | undefined) => number | undefined);
  readonly unit: string;
  readonly limit: number;
  /** `min`: measured must be >= limit; `max`: <= limit. */
  readonly kind: 'min' | 'max';
  /** Label override, e.g. to say how many pods the run had. */
  readonly label?: (r: Json | undefined) => string;
}

const pods = (path: string) => (r: Json | undefined) => String(num(r, path) ?? '?');
const ratio = (a: string, b: string) => (r: Json | undefined) => {
  const x = num(r, a);
  const y = num(r, b);
  return x === undefined || y === undefined || y === 0 ? undefined : Math.round((x / y) * 100) / 100;
};

/** The controller's CPU per pod less its health thread's, which answers the bench's 20 probe loops (a kubelet probes every few seconds). */
const withoutHealthThread = (r: Json | undefined) => {
  const total = num(r, 'burstBig.controllerCpuMsPerPod');
  const health = num(r, 'burstBig.controllerCpuMsPerPodByThread.health');
  return total === undefined || health === undefined ? undefined : Math.round((total - health) * 1000) / 1000;
};

// The targets of issue 14 (bench/RESULTS.md's table).
const SPECS: readonly Spec[] = [
  { figure: 'IPAM allocations/s, IPv4 /8, share of the Map-insert floor (CPU time, interleaved)', bench: 'ipam', path: 'results.ipv4_slash8.shareOfFloor', unit: 'x', limit: 0.8, kind: 'min' },
  { figure: 'IPAM allocations/s, IPv6 /64, share of the Map-insert floor (CPU time, interleaved)', bench: 'ipam', path: 'results.ipv6_slash64.shareOfFloor', unit: 'x', limit: 0.8, kind: 'min' },
  { figure: 'RSS idle, informers synced, 0 pods', bench: 'controller', path: 'memoryIdle.rssMiB', unit: ' MiB', limit: 80, kind: 'max' },
  { figure: 'pods/s end to end, big burst', bench: 'controller', path: 'burstBig.podsPerSec', unit: ' pods/s', limit: 1500, kind: 'min', label: pods('burstBig.pods') },
  { figure: 'peak RSS through the big burst', bench: 'controller', path: 'memoryAfterBurst.hwmMiB', unit: ' MiB', limit: 200, kind: 'max', label: pods('memoryAfterBurst.pods') },
  { figure: 'controller CPU per pod, big burst', bench: 'controller', path: 'burstBig.controllerCpuMsPerPod', unit: ' ms', limit: 0.3, kind: 'max' },
  { figure: 'controller CPU per pod, big burst, without the health thread answering the bench\'s probes', bench: 'controller', path: withoutHealthThread, unit: ' ms', limit: 0.3, kind: 'max' },
  { figure: 'API requests per pod, both bursts', bench: 'controller', path: 'requestsPerPod.total', unit: '', limit: 2, kind: 'max' },
  { figure: 'start to Ready with allocated pods', bench: 'controller', path: 'restart.readyMs', unit: ' ms', limit: 1000, kind: 'max', label: pods('restart.pods') },
  { figure: 'RSS at the huge step (new leader, steady)', bench: 'controller', path: 'memoryHuge.rssMiB', unit: ' MiB', limit: 450, kind: 'max', label: pods('memoryHuge.pods') },
  { figure: 'RSS at the huge step, 23 s after the burst (new leader idle)', bench: 'controller', path: 'memoryHugeSettled.rssMiB', unit: ' MiB', limit: 450, kind: 'max', label: pods('memoryHugeSettled.pods') },
  { figure: 'takeover peak RSS over steady at the huge step', bench: 'controller', path: 'takeover.peakOverSteady', unit: 'x', limit: 1.2, kind: 'max' },
  { figure: '/livez p99 during the big burst over the raw node:http floor', bench: 'controller', path: ratio('burstBig.probes.livez.p99', 'burstBig.probes.floor_raw_http.p99'), unit: 'x', limit: 1.3, kind: 'max' },
  { figure: '/livez max during the big burst', bench: 'controller', path: 'burstBig.probes.livez.max', unit: ' ms', limit: 100, kind: 'max' },
  { figure: 'Counter.add / prom-client (reused attrs)', bench: 'metrics-sdk', path: 'results.counterReused.ratio', unit: 'x', limit: 1.2, kind: 'max' },
  { figure: 'Histogram.record / prom-client (reused attrs)', bench: 'metrics-sdk', path: 'results.histogramReused.ratio', unit: 'x', limit: 1.2, kind: 'max' },
  { figure: 'Counter.add / prom-client (inline attrs)', bench: 'metrics-sdk', path: 'results.counterInline.ratio', unit: 'x', limit: 1.2, kind: 'max' },
  { figure: 'Histogram.record / prom-client (inline attrs)', bench: 'metrics-sdk', path: 'results.histogramInline.ratio', unit: 'x', limit: 1.2, kind: 'max' },
  { figure: '/metrics scrape max, direct', bench: 'controller', path: 'scrape.direct.max', unit: ' ms', limit: 50, kind: 'max' },
];

/** One row per figure present in `results` (a figure whose bench did not run is left out). */
export function evaluate(results: Record<string, Json>): Row[] {
  const rows: Row[] = [];
  for (const s of SPECS) {
    const r = results[s.bench];
    const v = typeof s.path === 'string' ? num(r, s.path) : s.path(r);
    if (v === undefined) continue;
    const figure = s.label === undefined ? s.figure : `${s.figure} (${s.label(r)} pods)`;
    const met = s.kind === 'min' ? v >= s.limit : v <= s.limit;
    rows.push({ figure, measured: `${v.toLocaleString('en-US')}${s.unit}`, target: `${s.kind === 'min' ? '>=' : '<='} ${s.limit.toLocaleString('en-US')}${s.unit}`, met });
  }
  return rows;
}
