import type { Config, HealthConfig, LeaderElectionConfig, PodIdentity } from './types.js';
import { formatDuration, parsePositiveDuration } from './durations.js';
import { ConfigError, show } from './errors.js';
import { scanArgv } from './flags.js';
import { renderHelp } from './help.js';
import { assembleMetrics, buildExporters, chooseExporters, prometheusListen } from './metrics.js';
import { ovnConfig } from './ovn.js';
import { secureServing } from './serving.js';
import { defaultSubnet } from './default-subnet.js';
import type { CompileSubnet } from './default-subnet.js';
import { createEnvSource, createResolver } from './sources.js';
import type { EnvSource, Resolver } from './sources.js';
import { checkDistinctPaths, checkPortClash, leaderElectionTiming, leaseIdentity, LIVENESS_DEFAULTS, parseProbePath, READINESS_DEFAULTS } from './validate.js';
import { parseBindAddress, parseBool, parseIntInRange, parseLogLevel, parsePort } from './values.js';

export interface ParseConfigInput {
  /** Arguments after the script, i.e. `process.argv.slice(2)`. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Product version, for `--version` and `Config.version`. */
  readonly version: string;
  /** Lease identity when `POD_NAME` is unset. */
  readonly hostname: string;
  /** The Subnet compile step the default subnet flags go through (`main.ts` passes the IPAM's); absent: syntax only. */
  readonly compileSubnet?: CompileSubnet;
}

export type ConfigResult =
  | {
      readonly kind: 'ok';
      readonly config: Config;
      /** Accepted but questionable input (e.g. `OTEL_SDK_DISABLED` overriding an explicit exporter); log each at warn. */
      readonly warnings: readonly string[];
    }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version'; readonly text: string }
  | { readonly kind: 'error'; readonly message: string };

/**
 * Flags and environment to one deeply frozen `Config`. Pure: reads only `input`. Flags win over
 * variables, an empty variable counts as unset, and the first invalid or contradictory value
 * ends parsing with a one-line `error` that names the setting as the user gave it.
 */
export function parseConfig(input: ParseConfigInput): ConfigResult {
  try {
    const scan = scanArgv(input.argv);
    if (scan.kind === 'help') return { kind: 'help', text: renderHelp(input.version) };
    if (scan.kind === 'version') return { kind: 'version', text: `kube-ovn-controller ${input.version}` };
    const env = createEnvSource(input.env);
    const { config, warnings } = build(createResolver(scan.values, env), env, input);
    return { kind: 'ok', config: deepFreeze(config), warnings: Object.freeze(warnings) };
  } catch (err) {
    if (err instanceof ConfigError) return { kind: 'error', message: err.message };
    throw err;
  }
}

function build(resolve: Resolver, env: EnvSource, input: ParseConfigInput): { config: Config; warnings: string[] } {
  const health = healthConfig(resolve);
  const choice = chooseExporters(resolve);
  const prometheus = prometheusListen(resolve);
  if (choice.kinds.includes('prometheus')) {
    checkPortClash(
      { host: resolve('healthBindAddress'), port: resolve('healthPort'), hostValue: health.host, portValue: health.port },
      { host: resolve('metricsBindAddress'), port: resolve('metricsPort'), hostValue: prometheus.host, portValue: prometheus.port },
    );
  }
  const serving = secureServing(resolve, input.hostname, choice.kinds.includes('prometheus'));
  const exporters = buildExporters(choice.kinds, { ...prometheus, ...(serving.secure === undefined ? {} : { secure: serving.secure }) }, resolve, env);
  const pod = podIdentity(resolve);
  const config: Config = {
    health,
    metrics: assembleMetrics(exporters, env),
    kubeconfig: resolve('kubeconfig').raw,
    leaderElection: leaderElection(resolve, pod, input.hostname),
    defaultSubnet: defaultSubnet({ name: resolve('defaultLs'), cidr: resolve('defaultCidr'), gateway: resolve('defaultGateway'), exclude: resolve('defaultExcludeIps') }, input.compileSubnet),
    ovn: ovnConfig(resolve),
    workerNum: intSetting(resolve, 'workerNum', 1, 1024, 'an integer 1-1024'),
    reconcileStallMs: durationSetting(resolve, 'reconcileStallTimeout'),
    shutdownTimeoutMs: durationSetting(resolve, 'shutdownTimeout'),
    logLevel: parseLogLevel(resolve('logLevel').raw, resolve('logLevel').name),
    pod,
    version: input.version,
  };
  return { config, warnings: [...choice.warnings, ...serving.warnings, ...leaderWarnings(config.leaderElection, resolve)] };
}

/**
 * Lower bounds that keep a probe meaningful: below them a healthy process fails liveness and
 * kubelet restarts it in a loop.
 * - event-loop: the loop is sampled and probe results are published every 100 ms, and a
 *   major GC of a large heap pauses a few hundred ms; 1 s is ten publish periods.
 * - reconcile-progress: one reconcile may legitimately wait out one API request, whose
 *   timeout is 60 s (src/kube/client); a shorter bound restarts a leader on a slow API server.
 */
const DURATION_FLOORS = {
  eventLoopBlockThreshold: { ms: 1000, why: 'shorter blocks are ordinary GC pauses, and probe results are published every 100ms' },
  reconcileStallTimeout: { ms: 60_000, why: 'one reconcile may wait out an API request, whose timeout is 60s' },
} as const;

function durationSetting(resolve: Resolver, key: 'reconcileStallTimeout' | 'shutdownTimeout' | 'eventLoopBlockThreshold'): number {
  const r = resolve(key);
  const ms = parsePositiveDuration(r.raw, r.name);
  const floor = key === 'shutdownTimeout' ? undefined : DURATION_FLOORS[key];
  if (floor !== undefined && ms < floor.ms) {
    throw new ConfigError(`${r.name}: expected at least ${formatDuration(floor.ms)} (${floor.why}), got ${show(r.raw)}`);
  }
  return ms;
}

function intSetting(resolve: Resolver, key: 'workerNum', min: number, max: number, accepted: string): number {
  const r = resolve(key);
  return parseIntInRange(r.raw, r.name, min, max, accepted);
}

/** `--leader-elect=false` is accepted (one replica, or a test) but two such replicas hand out the same addresses. */
function leaderWarnings(election: LeaderElectionConfig, resolve: Resolver): string[] {
  if (election.enabled) return [];
  return [
    `${resolve('leaderElect').name}=false: leader election is OFF and this replica reconciles as if it held the Lease; ` +
      'this is only safe with exactly one replica (replicas: 1): two replicas without leader election give one address to two pods',
  ];
}

function healthConfig(resolve: Resolver): HealthConfig {
  const host = resolve('healthBindAddress');
  const port = resolve('healthPort');
  const liveness = resolve('livenessPath');
  const readiness = resolve('readinessPath');
  const extraLivenessPaths = parseProbePath(liveness, LIVENESS_DEFAULTS);
  const extraReadinessPaths = parseProbePath(readiness, READINESS_DEFAULTS);
  checkDistinctPaths(liveness, readiness, extraLivenessPaths, extraReadinessPaths);
  return {
    host: parseBindAddress(host.raw, host.name),
    port: parsePort(port.raw, port.name),
    extraLivenessPaths,
    extraReadinessPaths,
    eventLoopBlockThresholdMs: durationSetting(resolve, 'eventLoopBlockThreshold'),
  };
}

function leaderElection(resolve: Resolver, pod: PodIdentity, hostname: string): LeaderElectionConfig {
  const enabled = resolve('leaderElect');
  return {
    enabled: parseBool(enabled.raw, enabled.name),
    ...leaseIdentity(pod.name, pod.namespace, hostname),
    ...leaderElectionTiming(resolve),
  };
}

function podIdentity(resolve: Resolver): PodIdentity {
  return {
    name: resolve('podName').raw,
    namespace: resolve('podNamespace').raw,
    nodeName: resolve('nodeName').raw,
    containerName: resolve('containerName').raw,
  };
}

/** Freezes every object and array reachable from `value`, so no consumer can change shared config. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
