/**
 * The one poll-until helper, for integration and end-to-end tests that wait on a real component
 * (unit tests use fake clocks instead). Real time, bounded; errors thrown by `fn` count as "not yet".
 */
export async function until<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 10_000, stepMs = 25): Promise<T> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let last: { err: unknown; at: number } | undefined;
  let lastWasError = false;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== false) return value;
      lastWasError = false;
    } catch (err) {
      last = { err, at: Date.now() };
      lastWasError = true;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describeLast(last, lastWasError, started)}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * Says whether the final attempt threw or just answered "not yet": an error from the first
 * attempts (a server not listening yet) must not read as the state at the deadline.
 */
function describeLast(last: { err: unknown; at: number } | undefined, lastWasError: boolean, started: number): string {
  if (last === undefined) return '';
  if (lastWasError) return ` (last error: ${String(last.err)})`;
  return ` (the last attempt answered "not yet"; the last error, ${last.at - started} ms in: ${String(last.err)})`;
}
