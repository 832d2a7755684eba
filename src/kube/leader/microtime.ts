/**
 * `metav1.MicroTime` text: RFC 3339 UTC with exactly six fractional digits
 * (`2026-01-02T03:04:05.123456Z`). kube-apiserver rejects `Date.toISOString()`'s three
 * digits in Lease `acquireTime`/`renewTime` (kubernetes-client/javascript issue #828).
 * `ms` may carry a fraction (microseconds); it is truncated, never rounded up.
 */
export function formatMicroTime(ms: number): string {
  const wholeMs = Math.floor(ms);
  const micros = Math.floor((ms - wholeMs) * 1000);
  const iso = new Date(wholeMs).toISOString();
  return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

/** Parses RFC 3339 (any fractional precision) to ms since the epoch; NaN when it is not a time. */
export function parseMicroTime(text: string | undefined): number {
  if (text === undefined || text === '') return Number.NaN;
  return Date.parse(text);
}

/** Matches exactly the MicroTime wire format. */
export const MICRO_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
