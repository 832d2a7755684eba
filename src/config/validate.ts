import type { LeaderElectionConfig } from './types.js';
import { parsePositiveDuration } from './durations.js';
import { ConfigError, show } from './errors.js';
import { addressesOverlap } from './network.js';
import type { Resolved, Resolver } from './sources.js';
import { describe } from './sources.js';

/** client-go's `JitterFactor`: the renew deadline must exceed 1.2 x the retry period. */
const CLIENT_GO_JITTER = 1.2;
const LEASE_NAME = 'kube-ovn-controller';

type Timing = Pick<LeaderElectionConfig, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>;

/**
 * The three leader-election durations, each > 0, with client-go's `NewLeaderElector` rules:
 * lease duration > renew deadline > 1.2 x retry period. Checked even with `--leader-elect=false`:
 * a contradiction does not become right by being unused today.
 */
export function leaderElectionTiming(resolve: Resolver): Timing {
  const lease = resolve('leaseDuration');
  const renew = resolve('renewDeadline');
  const retry = resolve('retryPeriod');
  const leaseDurationMs = parsePositiveDuration(lease.raw, lease.name);
  const renewDeadlineMs = parsePositiveDuration(renew.raw, renew.name);
  const retryPeriodMs = parsePositiveDuration(retry.raw, retry.name);
  if (leaseDurationMs <= renewDeadlineMs) {
    throw mustExceed(blame(lease, renew), lease, renew, 'the lease duration must be longer than the renew deadline');
  }
  if (renewDeadlineMs <= CLIENT_GO_JITTER * retryPeriodMs) {
    throw mustExceed(blame(renew, retry), renew, retry, 'the renew deadline must be longer than 1.2 x the retry period (client-go)');
  }
  return { leaseDurationMs, renewDeadlineMs, retryPeriodMs };
}

/** Which of two disagreeing settings to name first: the one the user gave (the longer one if both or neither were). */
function blame(longer: Resolved, shorter: Resolved): Resolved {
  return !longer.explicit && shorter.explicit ? shorter : longer;
}

function mustExceed(first: Resolved, longer: Resolved, shorter: Resolved, rule: string): ConfigError {
  const other = first === longer ? shorter : longer;
  return new ConfigError(`${first.name}: ${show(first.raw)} conflicts with ${describe(other)}; ${rule}`);
}

/** Lease name, namespace and holder identity from the Downward API. */
export function leaseIdentity(podName: string, podNamespace: string, hostname: string): Pick<LeaderElectionConfig, 'leaseName' | 'namespace' | 'identity'> {
  return { leaseName: LEASE_NAME, namespace: podNamespace || 'kube-system', identity: podName || hostname };
}

export const LIVENESS_DEFAULTS = ['/livez'] as const;
export const READINESS_DEFAULTS = ['/readyz', '/healthz'] as const;
const RESERVED_ROOTS = ['/livez', '/readyz', '/healthz', '/metrics'];
// Letters, digits and -._~/ only: no query, fragment, spaces, or router syntax like `:id` and `*`.
const SAFE_PATH = /^\/[A-Za-z0-9._~/-]*$/;

/**
 * An extra probe path: empty means none; a path equal to one of `own` defaults adds nothing.
 * It must not be `/metrics`, another probe's default, or under any of them (`/livez/<check>`
 * belongs to the single-check endpoints).
 */
export function parseProbePath(resolved: Resolved, own: readonly string[]): string[] {
  const path = resolved.raw.trim();
  if (path === '') return [];
  if (!SAFE_PATH.test(path)) {
    throw new ConfigError(`${resolved.name}: expected a path starting with \`/\` of letters, digits and \`-._~/\`, got ${show(resolved.raw)}`);
  }
  if (own.includes(path)) return [];
  const taken = RESERVED_ROOTS.find((root) => path === root || path.startsWith(`${root}/`));
  if (taken !== undefined) {
    throw new ConfigError(`${resolved.name}: ${show(resolved.raw)} collides with ${show(taken)}, which the health app already serves; choose another path`);
  }
  return [path];
}

/** The liveness and readiness extra paths must not be the same path. */
export function checkDistinctPaths(liveness: Resolved, readiness: Resolved, live: readonly string[], ready: readonly string[]): void {
  const shared = live.find((p) => ready.includes(p));
  if (shared !== undefined) {
    throw new ConfigError(`${readiness.name}: ${show(readiness.raw)} is also ${liveness.name}; a path can serve liveness or readiness, not both`);
  }
}

/** The Prometheus exporter and the health app must not want one port on overlapping addresses. */
export function checkPortClash(
  health: { host: Resolved; port: Resolved; hostValue: string; portValue: number },
  metrics: { host: Resolved; port: Resolved; hostValue: string; portValue: number },
): void {
  if (health.portValue !== metrics.portValue || !addressesOverlap(health.hostValue, metrics.hostValue)) return;
  const [first, other] = !metrics.port.explicit && health.port.explicit ? [health, metrics] : [metrics, health];
  throw new ConfigError(
    `${first.port.name}: ${show(first.port.raw)} is also ${describe(other.port)} and the addresses overlap ` +
      `(${show(first.hostValue)} and ${show(other.hostValue)}); health and metrics need different ports`,
  );
}
