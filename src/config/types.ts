import type { LogLevel } from './log-levels.js';
import type { OvnConfig } from './ovn.js';
import type { SecureServingConfig } from './serving.js';

/** One metrics exporter, as chosen by `--metrics-exporter` / `OTEL_METRICS_EXPORTER`. */
export type ExporterConfig =
  | {
      readonly kind: 'prometheus';
      /** Address the Prometheus exporter binds. Default `0.0.0.0`. */
      readonly host: string;
      /** Port of the Prometheus exporter. Default 9464; never the health port. */
      readonly port: number;
      /** `--secure-serving`: HTTPS with TokenReview/SubjectAccessReview; absent means plain HTTP to anyone. */
      readonly secure?: SecureServingConfig;
    }
  | {
      readonly kind: 'otlp';
      /** Full URL metrics are POSTed to (already includes `/v1/metrics` when derived from the base endpoint). */
      readonly url: string;
      /** OTLP/HTTP encoding. Default `http/protobuf` (the OTel spec's default). */
      readonly protocol: 'http/protobuf' | 'http/json';
      /** Extra request headers from `OTEL_EXPORTER_OTLP_(METRICS_)HEADERS`. */
      readonly headers: Readonly<Record<string, string>>;
      /** Timeout of one export request, ms. Default 10000. */
      readonly requestTimeoutMs: number;
      /** Push period, ms (`OTEL_METRIC_EXPORT_INTERVAL`). Default 60000. */
      readonly intervalMs: number;
      /** Bound on one collect+export cycle, ms (`OTEL_METRIC_EXPORT_TIMEOUT`). Default 30000. */
      readonly exportTimeoutMs: number;
      /** `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`. Default `cumulative`. */
      readonly temporality: 'cumulative' | 'delta' | 'lowmemory';
    }
  | {
      readonly kind: 'console';
      /** Print period, ms (`OTEL_METRIC_EXPORT_INTERVAL`). */
      readonly intervalMs: number;
      readonly exportTimeoutMs: number;
    };

export interface HealthConfig {
  /** Default `0.0.0.0`. */
  readonly host: string;
  /** Default 10660. */
  readonly port: number;
  /** Extra liveness paths besides `/livez` (e.g. from `--liveness-path`); `/livez` always stays. */
  readonly extraLivenessPaths: readonly string[];
  /** Extra readiness paths besides `/readyz` and `/healthz`. */
  readonly extraReadinessPaths: readonly string[];
  /** Liveness `event-loop` fails when the main loop was blocked longer than this, ms. Default 5000. */
  readonly eventLoopBlockThresholdMs: number;
}

export interface MetricsConfig {
  /** Empty means `none`: no reader is registered at all. */
  readonly exporters: readonly ExporterConfig[];
  /**
   * One line served as the 404 body of `/metrics` on the health port, telling an operator
   * migrating from Kube-OVN where metrics went, e.g. `metrics are served at :9464/metrics`.
   */
  readonly hint: string;
  /** `service.name`; default `kube-ovn-controller`. */
  readonly serviceName: string;
  /** Parsed `OTEL_RESOURCE_ATTRIBUTES` (percent-decoded). */
  readonly resourceAttributes: Readonly<Record<string, string>>;
}

export interface LeaderElectionConfig {
  /** `--leader-elect`; default true. */
  readonly enabled: boolean;
  /** Lease name; default `kube-ovn-controller`. */
  readonly leaseName: string;
  /** Namespace of the Lease; `POD_NAMESPACE`, default `kube-system`. */
  readonly namespace: string;
  /** Holder identity; `POD_NAME`, else the host name. */
  readonly identity: string;
  /** Default 30000 ms. */
  readonly leaseDurationMs: number;
  /** Default 20000 ms. */
  readonly renewDeadlineMs: number;
  /** Default 6000 ms. */
  readonly retryPeriodMs: number;
}

export interface DefaultSubnetConfig {
  /** `--default-ls`; default `ovn-default`. */
  readonly name: string;
  /** `--default-cidr`; default `10.16.0.0/16`; `v4,v6` for dual stack. */
  readonly cidr: string;
  /** `--default-gateway`; empty means the first address of each CIDR. */
  readonly gateway: string;
  /** `--default-exclude-ips`; comma list of IPs and `a..b` ranges. */
  readonly excludeIps: readonly string[];
}

/** Downward API identity of this replica; empty strings when unset. */
export interface PodIdentity {
  readonly name: string;
  readonly namespace: string;
  readonly nodeName: string;
  readonly containerName: string;
}

export interface Config {
  readonly health: HealthConfig;
  readonly metrics: MetricsConfig;
  /** `--kubeconfig` / `KUBECONFIG`; empty means in-cluster, then `~/.kube/config`. */
  readonly kubeconfig: string;
  readonly leaderElection: LeaderElectionConfig;
  readonly defaultSubnet: DefaultSubnetConfig;
  /** OVN northbound settings (DESIGN.md §10). */
  readonly ovn: OvnConfig;
  /** Reconcile concurrency per queue; default 3. */
  readonly workerNum: number;
  /** Liveness `reconcile-progress` fails when keys are queued and no reconcile finished for this long, ms. Default 300000. */
  readonly reconcileStallMs: number;
  /** Bound on the whole shutdown after SIGTERM, ms. Default 10000; keep it under terminationGracePeriodSeconds. */
  readonly shutdownTimeoutMs: number;
  readonly logLevel: LogLevel;
  readonly pod: PodIdentity;
  readonly version: string;
}
