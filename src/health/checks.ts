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
  /**
   * Throws on a duplicate or malformed name: that is a wiring bug, not a runtime condition.
   * A check of a reserved name takes the reservation's place.
   */
  add(check: HealthCheck): void;
  /**
   * Holds a place for a check a later part will add, failing with `reason` until then, so a
   * probe between the health server's start and that part's start cannot pass early.
   */
  reserve(name: string, reason: string): void;
  /** A snapshot in registration order. */
  checks(): readonly HealthCheck[];
}

// A name becomes a path segment (`/livez/<name>`) and a log key, so keep it to a URL-safe token.
const CHECK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function createCheckSet(kind: CheckKind): CheckSet {
  const list: HealthCheck[] = [];
  const reserved = new Set<HealthCheck>();
  const validName = (name: string): void => {
    if (!CHECK_NAME.test(name)) throw new Error(`${kind} check name: expected letters, digits, '.', '_' or '-', got \`${name}\``);
  };
  return {
    kind,
    add(check) {
      validName(check.name);
      const at = list.findIndex((c) => c.name === check.name);
      if (at >= 0 && reserved.delete(list[at]!)) list[at] = check;
      else if (at >= 0) throw new Error(`${kind} check \`${check.name}\` is already registered`);
      else list.push(check);
    },
    reserve(name, reason) {
      validName(name);
      if (list.some((c) => c.name === name)) throw new Error(`${kind} check \`${name}\` is already registered`);
      const failed: CheckResult = Object.freeze({ ok: false, reason });
      const placeholder: HealthCheck = { name, run: () => failed };
      reserved.add(placeholder);
      list.push(placeholder);
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
