import { formatMicroTime } from './microtime.js';

/** `coordination.k8s.io/v1` `LeaseSpec`, as on the wire. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  [key: string]: unknown;
}

/** What this replica knows about the lease, timed by the LOCAL clock (client-go's `observedTime`). */
export interface Observation {
  readonly spec: LeaseSpec;
  /** JSON of `spec`, to notice any change (a renew by another holder changes `renewTime`). */
  readonly raw: string;
  /** Local ms when `raw` was first seen; a holder is considered alive until this + leaseDuration. */
  readonly observedAt: number;
}

/** Updates the observation only when the record changed, so a frozen renewTime ages on our clock, skew-free. */
export function observe(previous: Observation | undefined, spec: LeaseSpec, nowMs: number): Observation {
  const raw = JSON.stringify(spec);
  return previous !== undefined && previous.raw === raw ? previous : { spec, raw, observedAt: nowMs };
}

export type LeaseDecision = { readonly kind: 'write'; readonly spec: LeaseSpec } | { readonly kind: 'held'; readonly holder: string; readonly expiresAt: number };

/**
 * client-go `tryAcquireOrRenew`'s rule: another holder blocks us until its lease expires
 * by observed time + the RECORD's `leaseDurationSeconds` (client-go `isLeaseValid`: the holder
 * promised that long, whatever our own flag says); an empty holder (released) never blocks.
 * `leaseDurationMs` is our own duration, written when we take or renew the lease. Renewing keeps
 * `acquireTime` and `leaseTransitions`; taking over bumps `leaseTransitions`.
 */
export function decideLease(observation: Observation | undefined, identity: string, leaseDurationMs: number, nowMs: number): LeaseDecision {
  const old = observation?.spec ?? {};
  const holder = old.holderIdentity ?? '';
  if (observation !== undefined && holder !== '' && holder !== identity) {
    const expiresAt = observation.observedAt + recordDurationMs(old, leaseDurationMs);
    if (expiresAt > nowMs) return { kind: 'held', holder, expiresAt };
  }
  const now = formatMicroTime(nowMs);
  const mine = holder === identity;
  const transitions = old.leaseTransitions ?? 0;
  return {
    kind: 'write',
    spec: {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      acquireTime: mine && old.acquireTime !== undefined ? old.acquireTime : now,
      renewTime: now,
      leaseTransitions: mine || observation === undefined ? transitions : transitions + 1,
    },
  };
}

/** client-go's `release`: an empty holder, so a standby takes over at its next attempt instead of waiting out the lease. */
export function releasedSpec(observation: Observation, nowMs: number): LeaseSpec {
  const now = formatMicroTime(nowMs);
  return { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: observation.spec.leaseTransitions ?? 0 };
}

/**
 * How long a holder's record stays valid after we observed it, ms: its `leaseDurationSeconds`.
 * client-go reads an absent field as 0 (expired at once); a record without it was not written
 * by a client-go-style elector, so ours is the safer assumption than taking over at once.
 */
export function recordDurationMs(spec: LeaseSpec, ownDurationMs: number): number {
  const seconds = spec.leaseDurationSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : ownDurationMs;
}
