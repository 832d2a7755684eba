import type { ExporterConfig, MetricsConfig, PodIdentity } from '../../src/config/types.js';
import { createLogger } from '../../src/log/index.js';
import type { Logger } from '../../src/log/index.js';
import type { Telemetry } from '../../src/telemetry/index.js';

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** A logger whose JSON lines are kept in memory for assertions. */
export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } });
  return { logger, lines };
}

export function metricsConfig(exporters: readonly ExporterConfig[], overrides: Partial<MetricsConfig> = {}): MetricsConfig {
  return { exporters, hint: 'test', serviceName: 'kube-ovn-controller', resourceAttributes: {}, ...overrides };
}

export function otlpExporter(url: string, overrides: Partial<Extract<ExporterConfig, { kind: 'otlp' }>> = {}): ExporterConfig {
  return {
    kind: 'otlp',
    url,
    protocol: 'http/protobuf',
    headers: {},
    requestTimeoutMs: 1000,
    intervalMs: 60_000,
    exportTimeoutMs: 1000,
    temporality: 'cumulative',
    ...overrides,
  };
}

export function prometheusExporter(port: number): ExporterConfig {
  return { kind: 'prometheus', host: '127.0.0.1', port };
}

export const POD: PodIdentity = { name: 'kube-ovn-controller-7d9f', namespace: 'kube-system', nodeName: 'node-1', containerName: 'kube-ovn-controller' };

export const NO_POD: PodIdentity = { name: '', namespace: '', nodeName: '', containerName: '' };

/** Fails the test if a promise rejection goes unhandled while `run` is in progress. */
export async function withRejectionTripwire<T>(run: () => Promise<T>): Promise<{ result: T; unhandled: unknown[] }> {
  const unhandled: unknown[] = [];
  const onRejection = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onRejection);
  try {
    const result = await run();
    // One macrotask turn lets Node report rejections left unhandled by the last microtasks.
    await new Promise((resolve) => setImmediate(resolve));
    return { result, unhandled };
  } finally {
    process.off('unhandledRejection', onRejection);
  }
}

export async function scrape(port: number): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.text() };
}

/** The §6 catalogue as Prometheus sees it: family -> its exact label keys (sorted). */
export const CATALOGUE_FAMILIES: Readonly<Record<string, { type: string; labels: string[] }>> = {
  controller_runtime_reconcile_total: { type: 'counter', labels: ['controller', 'result'] },
  controller_runtime_reconcile_errors_total: { type: 'counter', labels: ['controller'] },
  controller_runtime_reconcile_time_seconds: { type: 'histogram', labels: ['controller'] },
  controller_runtime_active_workers: { type: 'gauge', labels: ['controller'] },
  controller_runtime_max_concurrent_reconciles: { type: 'gauge', labels: ['controller'] },
  workqueue_depth: { type: 'gauge', labels: ['name'] },
  workqueue_adds_total: { type: 'counter', labels: ['name'] },
  workqueue_retries_total: { type: 'counter', labels: ['name'] },
  workqueue_queue_duration_seconds: { type: 'histogram', labels: ['name'] },
  workqueue_work_duration_seconds: { type: 'histogram', labels: ['name'] },
  workqueue_unfinished_work_seconds: { type: 'gauge', labels: ['name'] },
  workqueue_longest_running_processor_seconds: { type: 'gauge', labels: ['name'] },
  rest_client_requests_total: { type: 'counter', labels: ['code', 'host', 'method'] },
  rest_client_request_duration_seconds: { type: 'histogram', labels: ['host', 'verb'] },
  leader_election_master_status: { type: 'gauge', labels: ['name'] },
  subnet_available_ip_count: { type: 'gauge', labels: ['protocol', 'subnet_cidr', 'subnet_name'] },
  subnet_used_ip_count: { type: 'gauge', labels: ['protocol', 'subnet_cidr', 'subnet_name'] },
  ipam_allocations_total: { type: 'counter', labels: ['result', 'subnet_name'] },
  ipam_releases_total: { type: 'counter', labels: ['result', 'subnet_name'] },
  ipam_conflicts_total: { type: 'counter', labels: ['subnet_name'] },
};

/** Records one value into every instrument and registers every state gauge; returns the removers. */
export function recordEverything(telemetry: Pick<Telemetry, 'instruments' | 'addStateGauge'>): Array<() => void> {
  const i = telemetry.instruments;
  const ctl = { controller: 'subnet' };
  const q = { name: 'subnet' };
  i.reconcileTotal.add(1, { ...ctl, result: 'success' });
  i.reconcileErrors.add(1, ctl);
  i.reconcileTime.record(0.02, ctl);
  i.activeWorkers.add(1, ctl);
  i.maxConcurrentReconciles.record(3, ctl);
  i.workqueueDepth.add(2, q);
  i.workqueueAdds.add(1, q);
  i.workqueueRetries.add(1, q);
  i.workqueueQueueDuration.record(0.001, q);
  i.workqueueWorkDuration.record(0.01, q);
  i.restClientRequests.add(1, { code: '200', method: 'GET', host: '127.0.0.1:6443' });
  i.restClientRequestDuration.record(0.05, { verb: 'GET', host: '127.0.0.1:6443' });
  i.leaderElectionMasterStatus.record(1, { name: 'kube-ovn-controller' });
  i.ipamAllocations.add(1, { subnet_name: 'ovn-default', result: 'success' });
  i.ipamReleases.add(1, { subnet_name: 'ovn-default', result: 'success' });
  i.ipamConflicts.add(1, { subnet_name: 'ovn-default' });
  const subnet = { subnet_name: 'ovn-default', protocol: 'IPv4', subnet_cidr: '10.16.0.0/16' };
  return [
    telemetry.addStateGauge('workqueueUnfinishedWork', () => [{ attributes: q, value: 0.5 }]),
    telemetry.addStateGauge('workqueueLongestRunning', () => [{ attributes: q, value: 0.25 }]),
    telemetry.addStateGauge('subnetAvailableIps', () => [{ attributes: subnet, value: 65530 }]),
    telemetry.addStateGauge('subnetUsedIps', () => [{ attributes: subnet, value: 3 }]),
  ];
}
