import { OVN_SETTINGS } from './ovn-settings.js';
import { SERVING_SETTINGS } from './serving.js';

/**
 * The one list of settings: `flags.ts` learns the flags from it, `sources.ts` resolves flag over
 * env over default with it, and `help.ts` prints it. A setting without `flag` is env-only (the
 * OTel variables and the Downward API); every other setting has both, per DESIGN.md §4.
 */
export interface SettingSpec {
  readonly flag?: string;
  readonly env?: string;
  /** A boolean flag may stand alone (`--leader-elect` means true). */
  readonly boolean?: true;
  /** The default, in the syntax the setting accepts (what is parsed when nothing is given). */
  readonly default: string;
  /** How `--help` shows the default, when the raw default would not say enough. */
  readonly defaultText?: string;
  /** Placeholder in `--help`, e.g. `<port>`. */
  readonly value: string;
  /** Unit or syntax of the value. */
  readonly unit: string;
  /** How to turn the thing off, or why it cannot be. */
  readonly off: string;
  readonly help: string;
  readonly group: SettingGroup;
}

export type SettingGroup = 'health' | 'metrics' | 'otlp' | 'kubernetes' | 'controller' | 'ovn' | 'downward';

const GO_DURATION = 'Go duration (e.g. 500ms, 30s, 1m30s)';
const OTEL_MS = 'integer milliseconds (OTel spec)';
const NO_OFF = 'cannot be turned off';
// hostNetwork pods on IPv6-only or dual-stack nodes are probed and scraped on the node's IPv6
// address: `::` takes both families (IPV6_V6ONLY off), and falls back to 0.0.0.0 on a kernel without IPv6.
const DUAL_STACK = '`::` (every IPv4 and IPv6 address; 0.0.0.0 when the kernel has no IPv6)';

export const SETTINGS = {
  healthPort: { flag: '--health-port', env: 'HEALTH_PORT', default: '10660', value: '<port>', unit: 'TCP port 1-65535', off: `${NO_OFF}: kubelet probes need it`, group: 'health', help: 'Port of the health app (/livez, /readyz, /healthz). It never serves metrics.' },
  healthBindAddress: { flag: '--health-bind-address', env: 'HEALTH_BIND_ADDRESS', default: '::', defaultText: DUAL_STACK, value: '<ip>', unit: 'IPv4/IPv6 literal or localhost', off: NO_OFF, group: 'health', help: 'Address the health app listens on.' },
  livenessPath: { flag: '--liveness-path', env: 'LIVENESS_PATH', default: '', defaultText: 'none (only /livez)', value: '<path>', unit: 'URL path starting with /', off: 'empty: no extra path', group: 'health', help: 'An extra liveness path for probes that cannot use /livez; /livez stays served.' },
  readinessPath: { flag: '--readiness-path', env: 'READINESS_PATH', default: '', defaultText: 'none (only /readyz, /healthz)', value: '<path>', unit: 'URL path starting with /', off: 'empty: no extra path', group: 'health', help: 'An extra readiness path for probes that cannot use /readyz; /readyz and /healthz stay served.' },
  eventLoopBlockThreshold: { flag: '--event-loop-block-threshold', env: 'EVENT_LOOP_BLOCK_THRESHOLD', default: '5s', value: '<duration>', unit: GO_DURATION, off: NO_OFF, group: 'health', help: 'Liveness check `event-loop` fails when the main loop was blocked longer than this.' },
  reconcileStallTimeout: { flag: '--reconcile-stall-timeout', env: 'RECONCILE_STALL_TIMEOUT', default: '5m', value: '<duration>', unit: GO_DURATION, off: NO_OFF, group: 'health', help: 'Liveness check `reconcile-progress` fails when work is queued and no reconcile finished for this long.' },

  metricsExporter: { flag: '--metrics-exporter', env: 'OTEL_METRICS_EXPORTER', default: 'prometheus', value: '<list>', unit: 'comma list of none, prometheus, otlp, console', off: '`none`', group: 'metrics', help: 'Where metrics go. The default is `prometheus`, not the OTel spec\'s `otlp`: Kube-OVN users expect pull metrics, and an unset OTLP endpoint would push to nowhere. Duplicates collapse; `none` cannot be combined; empty means the default.' },
  enableMetrics: { flag: '--enable-metrics', env: 'ENABLE_METRICS', boolean: true, default: 'true', value: '<bool>', unit: 'boolean', off: '`false` (same as exporter `none`)', group: 'metrics', help: 'Kube-OVN compatibility. `false` together with an explicit exporter other than `none` is an error.' },
  metricsBindAddress: { flag: '--metrics-bind-address', env: 'OTEL_EXPORTER_PROMETHEUS_HOST', default: '::', defaultText: DUAL_STACK, value: '<ip>', unit: 'IPv4/IPv6 literal or localhost', off: 'exporter `none`', group: 'metrics', help: 'Address of the Prometheus exporter. (The OTel spec default is localhost; all addresses let Prometheus scrape the pod.)' },
  metricsPort: { flag: '--metrics-port', env: 'OTEL_EXPORTER_PROMETHEUS_PORT', default: '9464', value: '<port>', unit: 'TCP port 1-65535', off: 'exporter `none`', group: 'metrics', help: 'Port of the Prometheus exporter (/metrics). Must differ from the health port when the addresses overlap.' },
  ...SERVING_SETTINGS,
  sdkDisabled: { env: 'OTEL_SDK_DISABLED', default: 'false', value: '<bool>', unit: 'boolean', off: '`true` disables all exporters', group: 'metrics', help: 'OTel spec switch: `true` registers no exporter at all, whatever the exporter settings say.' },
  serviceName: { env: 'OTEL_SERVICE_NAME', default: 'kube-ovn-controller', value: '<name>', unit: 'string', off: NO_OFF, group: 'metrics', help: 'Resource attribute `service.name`. When unset, `service.name` from OTEL_RESOURCE_ATTRIBUTES wins over the default.' },
  resourceAttributes: { env: 'OTEL_RESOURCE_ATTRIBUTES', default: '', defaultText: 'none', value: '<k=v,...>', unit: 'comma list of key=value, percent-decoded', off: 'empty', group: 'metrics', help: 'Extra resource attributes.' },
  exportInterval: { env: 'OTEL_METRIC_EXPORT_INTERVAL', default: '60000', value: '<ms>', unit: OTEL_MS, off: NO_OFF, group: 'metrics', help: 'Push period of the otlp and console exporters.' },
  exportTimeout: { env: 'OTEL_METRIC_EXPORT_TIMEOUT', default: '30000', value: '<ms>', unit: OTEL_MS, off: NO_OFF, group: 'metrics', help: 'Bound on one collect+export cycle; must not exceed the interval (an unset timeout is lowered to a shorter interval).' },

  otlpEndpoint: { env: 'OTEL_EXPORTER_OTLP_ENDPOINT', default: '', defaultText: 'http://localhost:4318', value: '<url>', unit: 'http(s) URL', off: 'exporter without `otlp`', group: 'otlp', help: 'Base URL; `v1/metrics` is appended.' },
  otlpMetricsEndpoint: { env: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', default: '', defaultText: 'derived from OTEL_EXPORTER_OTLP_ENDPOINT', value: '<url>', unit: 'http(s) URL', off: 'exporter without `otlp`', group: 'otlp', help: 'Full metrics URL, used as is; wins over OTEL_EXPORTER_OTLP_ENDPOINT.' },
  otlpProtocol: { env: 'OTEL_EXPORTER_OTLP_PROTOCOL', default: 'http/protobuf', value: '<protocol>', unit: 'http/protobuf or http/json (grpc is not supported)', off: 'exporter without `otlp`', group: 'otlp', help: 'OTLP encoding.' },
  otlpMetricsProtocol: { env: 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', default: '', defaultText: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: '<protocol>', unit: 'http/protobuf or http/json', off: 'exporter without `otlp`', group: 'otlp', help: 'Wins over OTEL_EXPORTER_OTLP_PROTOCOL.' },
  otlpHeaders: { env: 'OTEL_EXPORTER_OTLP_HEADERS', default: '', defaultText: 'none', value: '<k=v,...>', unit: 'comma list of key=value, percent-decoded', off: 'empty', group: 'otlp', help: 'Extra request headers.' },
  otlpMetricsHeaders: { env: 'OTEL_EXPORTER_OTLP_METRICS_HEADERS', default: '', defaultText: 'none', value: '<k=v,...>', unit: 'comma list of key=value, percent-decoded', off: 'empty', group: 'otlp', help: 'Merged over OTEL_EXPORTER_OTLP_HEADERS.' },
  otlpTimeout: { env: 'OTEL_EXPORTER_OTLP_TIMEOUT', default: '10000', value: '<ms>', unit: OTEL_MS, off: NO_OFF, group: 'otlp', help: 'Timeout of one export request.' },
  otlpMetricsTimeout: { env: 'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', default: '', defaultText: 'OTEL_EXPORTER_OTLP_TIMEOUT', value: '<ms>', unit: OTEL_MS, off: NO_OFF, group: 'otlp', help: 'Wins over OTEL_EXPORTER_OTLP_TIMEOUT.' },
  otlpTemporality: { env: 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', default: 'cumulative', value: '<pref>', unit: 'cumulative, delta or lowmemory (any case)', off: NO_OFF, group: 'otlp', help: 'Aggregation temporality asked of the exporter.' },

  kubeconfig: { flag: '--kubeconfig', env: 'KUBECONFIG', default: '', defaultText: 'in-cluster, then ~/.kube/config', value: '<path>', unit: 'file path', off: 'empty: in-cluster config', group: 'kubernetes', help: 'Kubeconfig for the API server.' },
  leaderElect: { flag: '--leader-elect', env: 'LEADER_ELECT', boolean: true, default: 'true', value: '<bool>', unit: 'boolean', off: '`false`: every replica acts as leader', group: 'kubernetes', help: 'Hold the Lease `kube-ovn-controller` in POD_NAMESPACE before reconciling.' },
  leaseDuration: { flag: '--leader-elect-lease-duration', env: 'LEADER_ELECT_LEASE_DURATION', default: '30s', value: '<duration>', unit: GO_DURATION, off: '--leader-elect=false', group: 'kubernetes', help: 'How long standbys wait before taking over a Lease that is not renewed. Must exceed the renew deadline.' },
  renewDeadline: { flag: '--leader-elect-renew-deadline', env: 'LEADER_ELECT_RENEW_DEADLINE', default: '20s', value: '<duration>', unit: GO_DURATION, off: '--leader-elect=false', group: 'kubernetes', help: 'How long the leader keeps retrying to renew before it gives up. Must exceed 1.2 x the retry period (client-go rule).' },
  retryPeriod: { flag: '--leader-elect-retry-period', env: 'LEADER_ELECT_RETRY_PERIOD', default: '6s', value: '<duration>', unit: GO_DURATION, off: '--leader-elect=false', group: 'kubernetes', help: 'Interval between attempts to acquire or renew.' },

  defaultLs: { flag: '--default-ls', env: 'DEFAULT_LS', default: 'ovn-default', value: '<name>', unit: 'Kubernetes object name', off: NO_OFF, group: 'controller', help: 'Name of the default Subnet, created when absent.' },
  defaultCidr: { flag: '--default-cidr', env: 'DEFAULT_CIDR', default: '10.16.0.0/16', value: '<cidr>', unit: 'CIDR, or v4,v6 for dual stack', off: NO_OFF, group: 'controller', help: 'CIDR block of the default Subnet.' },
  defaultGateway: { flag: '--default-gateway', env: 'DEFAULT_GATEWAY', default: '', defaultText: 'first address of each CIDR', value: '<ip>', unit: 'IP, or v4,v6', off: 'empty: first address', group: 'controller', help: 'Gateway of the default Subnet.' },
  defaultExcludeIps: { flag: '--default-exclude-ips', env: 'DEFAULT_EXCLUDE_IPS', default: '', defaultText: 'none (the gateway is always excluded)', value: '<list>', unit: 'comma list of IPs and first..last ranges', off: 'empty', group: 'controller', help: 'Addresses of the default Subnet never handed out.' },
  workerNum: { flag: '--worker-num', env: 'WORKER_NUM', default: '3', value: '<n>', unit: 'integer 1-1024', off: NO_OFF, group: 'controller', help: 'Reconcile concurrency per queue.' },
  logLevel: { flag: '--log-level', env: 'LOG_LEVEL', default: 'info', value: '<level>', unit: 'trace, debug, info, warn, error, fatal or silent', off: '`silent`', group: 'controller', help: 'JSON logs on stdout at this level and above.' },
  shutdownTimeout: { flag: '--shutdown-timeout', env: 'SHUTDOWN_TIMEOUT', default: '10s', value: '<duration>', unit: GO_DURATION, off: NO_OFF, group: 'controller', help: 'Bound on the whole shutdown after SIGTERM; keep it under terminationGracePeriodSeconds.' },

  ...OVN_SETTINGS,

  podName: { env: 'POD_NAME', default: '', defaultText: 'empty (Lease identity falls back to the host name)', value: '<name>', unit: 'string', off: 'unset', group: 'downward', help: 'This pod; Lease holder identity.' },
  podNamespace: { env: 'POD_NAMESPACE', default: '', defaultText: 'empty (Lease in kube-system)', value: '<name>', unit: 'string', off: 'unset', group: 'downward', help: 'Namespace of this pod and of the Lease.' },
  nodeName: { env: 'NODE_NAME', default: '', defaultText: 'empty', value: '<name>', unit: 'string', off: 'unset', group: 'downward', help: 'Node of this pod (resource attribute k8s.node.name).' },
  containerName: { env: 'CONTAINER_NAME', default: 'kube-ovn-controller', value: '<name>', unit: 'string', off: 'unset', group: 'downward', help: 'Container name, for service.instance.id.' },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;

/** Settings as a list, in declaration order (the order `--help` prints). */
export const SETTING_LIST: readonly (readonly [SettingKey, SettingSpec])[] = Object.entries(SETTINGS) as [SettingKey, SettingSpec][];
