import type { Counter, Gauge, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';

/**
 * The catalogue of the controller's own instruments: every name, unit, description and
 * attribute set is declared here once, and the rest of the code only records into it.
 *
 * Names carry their unit suffix (`_seconds`, unit `s`) and counters end in `_total`, so the
 * JS Prometheus exporter (which only appends `_total`) and the Collector's Prometheus
 * exporters (which append unit suffixes unless present) produce identical series names.
 */

/** `result` label of `controller_runtime_reconcile_total`, a closed set (controller-runtime's). */
export type ReconcileResult = 'success' | 'error' | 'requeue' | 'requeue_after';

/** `result` label of `ipam_allocations_total` / `ipam_releases_total`. */
export type IpamResult = 'success' | 'error';

export interface Instruments {
  /** labels: controller, result */
  readonly reconcileTotal: Counter<{ controller: string; result: ReconcileResult }>;
  /** labels: controller */
  readonly reconcileErrors: Counter<{ controller: string }>;
  /** labels: controller; seconds */
  readonly reconcileTime: Histogram<{ controller: string }>;
  /** labels: controller */
  readonly activeWorkers: UpDownCounter<{ controller: string }>;
  /** labels: controller */
  readonly maxConcurrentReconciles: Gauge<{ controller: string }>;
  /** labels: name */
  readonly workqueueDepth: UpDownCounter<{ name: string }>;
  /** labels: name */
  readonly workqueueAdds: Counter<{ name: string }>;
  /** labels: name */
  readonly workqueueRetries: Counter<{ name: string }>;
  /** labels: name; seconds an item waited in the queue */
  readonly workqueueQueueDuration: Histogram<{ name: string }>;
  /** labels: name; seconds one item took to process */
  readonly workqueueWorkDuration: Histogram<{ name: string }>;
  /** labels: code, method, host */
  readonly restClientRequests: Counter<{ code: string; method: string; host: string }>;
  /** labels: verb, host; seconds */
  readonly restClientRequestDuration: Histogram<{ verb: string; host: string }>;
  /** labels: name; 1 while this replica leads, else 0 */
  readonly leaderElectionMasterStatus: Gauge<{ name: string }>;
  /** labels: subnet_name, result */
  readonly ipamAllocations: Counter<{ subnet_name: string; result: IpamResult }>;
  /** labels: subnet_name, result */
  readonly ipamReleases: Counter<{ subnet_name: string; result: IpamResult }>;
  /** labels: db, method, code (`ok`, `error`, `timeout`, `closed`); milliseconds. Kube-OVN's name, for its dashboards. */
  readonly ovsClientRequestLatency: Histogram<{ db: string; method: string; code: OvsdbCode }>;
  /** labels: table; northbound rows whose columns drifted from what they should be and were rewritten */
  readonly ovnDriftRepairs: Counter<{ table: string }>;
  /** labels: table; northbound rows marked vendor=kube-ovn removed because nothing owned them on two GC passes */
  readonly ovnGcRemovals: Counter<{ table: string }>;
  /**
   * labels: subnet_name. Conflicting address claims found (two pods claiming one address or
   * MAC, an `IP` object and a pod annotation that disagree, a claim outside its subnet); each
   * is reported with an Event and a log line and never freed or re-given (DESIGN §7a).
   */
  readonly ipamConflicts: Counter<{ subnet_name: string }>;
}

/** `code` label of `ovs_client_request_latency_milliseconds`. */
export type OvsdbCode = 'ok' | 'error' | 'timeout' | 'closed';

/**
 * Gauges reported from current state at collection time (see `state-gauges.ts`), so that a
 * deleted object's series vanish from the next scrape/export: OTel JS keeps stale
 * observable-gauge series (opentelemetry-js issue #4096).
 */
export const STATE_GAUGES = {
  workqueueUnfinishedWork: {
    name: 'workqueue_unfinished_work_seconds',
    unit: 's',
    description: 'Seconds of work in progress that has not been observed by work_duration; large values indicate stuck workers.',
  },
  workqueueLongestRunning: {
    name: 'workqueue_longest_running_processor_seconds',
    unit: 's',
    description: 'Seconds the longest running processor of the queue has been running.',
  },
  subnetAvailableIps: {
    name: 'subnet_available_ip_count',
    unit: '',
    description: 'Addresses still free in the subnet, per protocol.',
  },
  subnetUsedIps: {
    name: 'subnet_used_ip_count',
    unit: '',
    description: 'Addresses in use in the subnet, per protocol.',
  },
  ovnNbReady: {
    name: 'ovn_nb_ready',
    unit: '',
    description: '1 while the OVN northbound is connected and its cache synced (readiness check ovn-nb), else 0; absent while northbound programming is off.',
  },
} as const;

export type StateGaugeKey = keyof typeof STATE_GAUGES;

// Bucket boundaries from controller-runtime (reconcile) and client-go (workqueue, rest client),
// so dashboards built for Kube-OVN's Go controller keep their quantile resolution.
const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60];
const WORKQUEUE_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10];
// Milliseconds: a local NB transaction takes ~0.1 ms, a raft one ~1 ms, a stuck one the 60 s --ovn-timeout.
const OVSDB_MS_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];
const REST_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

export function createInstruments(meter: Meter): Instruments {
  const seconds = (buckets: number[]) => ({ unit: 's', advice: { explicitBucketBoundaries: buckets } });
  return Object.freeze({
    reconcileTotal: meter.createCounter('controller_runtime_reconcile_total', { description: 'Total number of reconciliations per controller.' }),
    reconcileErrors: meter.createCounter('controller_runtime_reconcile_errors_total', { description: 'Total number of reconciliation errors per controller.' }),
    reconcileTime: meter.createHistogram('controller_runtime_reconcile_time_seconds', { description: 'Length of time per reconciliation per controller.', ...seconds(RECONCILE_BUCKETS) }),
    activeWorkers: meter.createUpDownCounter('controller_runtime_active_workers', { description: 'Number of currently used workers per controller.' }),
    maxConcurrentReconciles: meter.createGauge('controller_runtime_max_concurrent_reconciles', { description: 'Maximum number of concurrent reconciles per controller.' }),
    workqueueDepth: meter.createUpDownCounter('workqueue_depth', { description: 'Current depth of workqueue.' }),
    workqueueAdds: meter.createCounter('workqueue_adds_total', { description: 'Total number of adds handled by workqueue.' }),
    workqueueRetries: meter.createCounter('workqueue_retries_total', { description: 'Total number of retries handled by workqueue.' }),
    workqueueQueueDuration: meter.createHistogram('workqueue_queue_duration_seconds', { description: 'How long in seconds an item stays in workqueue before being requested.', ...seconds(WORKQUEUE_BUCKETS) }),
    workqueueWorkDuration: meter.createHistogram('workqueue_work_duration_seconds', { description: 'How long in seconds processing an item from workqueue takes.', ...seconds(WORKQUEUE_BUCKETS) }),
    restClientRequests: meter.createCounter('rest_client_requests_total', { description: 'Number of HTTP requests, partitioned by status code, method, and host.' }),
    restClientRequestDuration: meter.createHistogram('rest_client_request_duration_seconds', { description: 'Request latency in seconds. Broken down by verb and host.', ...seconds(REST_BUCKETS) }),
    leaderElectionMasterStatus: meter.createGauge('leader_election_master_status', { description: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.' }),
    ipamAllocations: meter.createCounter('ipam_allocations_total', { description: 'Address allocations per subnet and result.' }),
    ipamReleases: meter.createCounter('ipam_releases_total', { description: 'Address releases per subnet and result.' }),
    ovsClientRequestLatency: meter.createHistogram('ovs_client_request_latency_milliseconds', { description: 'Latency of OVSDB requests, by database, method and outcome.', unit: 'ms', advice: { explicitBucketBoundaries: OVSDB_MS_BUCKETS } }),
    ovnDriftRepairs: meter.createCounter('ovn_nb_drift_repairs_total', { description: 'Northbound rows found different from what they should be and rewritten, by table.' }),
    ovnGcRemovals: meter.createCounter('ovn_nb_gc_removals_total', { description: 'Northbound rows marked vendor=kube-ovn removed because no object owned them on two passes, by table.' }),
    ipamConflicts: meter.createCounter('ipam_conflicts_total', { description: 'Conflicting address claims found per subnet; the claims are reported, never freed or re-given.' }),
  });
}

/** One series of a state gauge: its labels and current value. */
export interface StatePoint {
  readonly attributes: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Called at each collection; returns the current series of one state gauge. Must be cheap and never throw. */
export type StateGaugeSource = () => readonly StatePoint[];

/**
 * Registers a source for a state gauge; points of all sources of one gauge are reported
 * together. Returns a function that removes the source.
 */
export type AddStateGauge = (key: StateGaugeKey, source: StateGaugeSource) => () => void;
