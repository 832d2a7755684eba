/**
 * The one shape of a health check, shared by `health` (which serves them), `kube` and
 * `controllers` (which provide them). Types only: importing it pulls in no code, so the
 * providers stay independent of the health server.
 */

/** Outcome of one check; `reason` is what an operator reads in the log (or on `/<kind>/<check>`). */
export type CheckResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * A named check. `run` may be sync or async; a throw or rejection counts as a failure with
 * the error's message as reason. `signal` aborts when the probe's time budget is spent; the
 * health server always passes one, other callers (tests, the manager's own gates) may not.
 */
export interface Check {
  readonly name: string;
  run(signal?: AbortSignal): CheckResult | Promise<CheckResult>;
}
