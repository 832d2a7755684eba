import type { Check, CheckResult } from '../check/index.js';

export type { CheckResult };
/** A `src/check` check as the health server runs it: always with the probe's signal. */
export interface HealthCheck extends Check {
  run(signal: AbortSignal): CheckResult | Promise<CheckResult>;
}

export type CheckKind = 'livez' | 'readyz';

/** Checks of one probe kind, in registration order; more can be added while the app serves. */
export interface CheckSet {
  readonly kind: CheckKind;
  /** Throws on a duplicate or malformed name: that is a wiring bug, not a runtime condition. */
  add(check: HealthCheck): void;
  /** A snapshot in registration order. */
  checks(): readonly HealthCheck[];
}

// A name becomes a path segment (`/livez/<name>`) and a log key, so keep it to a URL-safe token.
const CHECK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function createCheckSet(kind: CheckKind): CheckSet {
  const list: HealthCheck[] = [];
  return {
    kind,
    add(check) {
      if (!CHECK_NAME.test(check.name)) {
        throw new Error(`${kind} check name: expected letters, digits, '.', '_' or '-', got \`${check.name}\``);
      }
      if (list.some((c) => c.name === check.name)) {
        throw new Error(`${kind} check \`${check.name}\` is already registered`);
      }
      list.push(check);
    },
    checks: () => list.slice(),
  };
}

const OK: CheckResult = Object.freeze({ ok: true });

/** `ping`: always passes; proves the server answers at all. */
export function pingCheck(): HealthCheck {
  return { name: 'ping', run: () => OK };
}

export interface ShutdownCheck {
  /** Named `shutdown`; fails with reason `shutting down` once `begin()` was called. */
  readonly check: HealthCheck;
  /** Idempotent; there is no way back. */
  begin(): void;
}

export function createShutdownCheck(): ShutdownCheck {
  let shuttingDown = false;
  const failed: CheckResult = Object.freeze({ ok: false, reason: 'shutting down' });
  return {
    check: { name: 'shutdown', run: () => (shuttingDown ? failed : OK) },
    begin() {
      shuttingDown = true;
    },
  };
}
