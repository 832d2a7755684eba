import type { CheckResult, HealthCheck } from './checks.js';

/**
 * Runs one check within `timeoutMs`: never rejects. A throw, a rejection or a malformed
 * result is a failure; on timeout the check's signal is aborted and the late result ignored.
 */
export async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // The timer is armed before the check runs, so even a check that blocks synchronously
  // and then hangs is bounded.
  const timedOut = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => {
      const reason = `timed out after ${timeoutMs}ms`;
      controller.abort(new Error(reason));
      resolve({ ok: false, reason });
    }, timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([invoke(check, controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function invoke(check: HealthCheck, signal: AbortSignal): Promise<CheckResult> {
  try {
    return normalize(await check.run(signal));
  } catch (err) {
    return { ok: false, reason: errorMessage(err) };
  }
}

function normalize(result: unknown): CheckResult {
  if (typeof result === 'object' && result !== null && 'ok' in result) {
    if (result.ok === true) return { ok: true };
    if (result.ok === false) {
      const reason = 'reason' in result && typeof result.reason === 'string' && result.reason !== '' ? result.reason : 'failed';
      return { ok: false, reason };
    }
  }
  return { ok: false, reason: 'check returned no result' };
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
