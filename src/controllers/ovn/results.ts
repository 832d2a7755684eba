/** Northbound results in the reconcilers: a failure throws, so the key retries with backoff and nothing after it is written. */
import type { NbResult } from '../../ovn/index.js';

/** Thrown for a northbound request that did not succeed; `reason` is the `NbResult` reason. */
export class NorthboundError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'NorthboundError';
  }
}

/** Returns when `result` is ok; otherwise throws a `NorthboundError` naming `what`. */
export function throwUnlessOk(result: NbResult, what: string): void {
  if (result.ok) return;
  throw new NorthboundError(result.reason, `${what}: northbound ${result.reason}: ${result.message}`);
}
