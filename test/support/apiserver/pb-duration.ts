import { NotRepresentable } from './pb-errors.js';

const UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

function trimFraction(whole: number, frac: number, digits: number): string {
  const f = String(frac).padStart(digits, '0').replace(/0+$/, '');
  return f === '' ? String(whole) : `${whole}.${f}`;
}

/** metav1.Duration's JSON form: Go's time.Duration.String (`1h2m3.5s`, `1.5ms`, `0s`). */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  const n = Math.abs(ns);
  if (n < 1e3) return `${sign}${n}ns`;
  if (n < 1e6) return `${sign}${trimFraction(Math.floor(n / 1e3), n % 1e3, 3)}µs`;
  if (n < 1e9) return `${sign}${trimFraction(Math.floor(n / 1e6), n % 1e6, 6)}ms`;
  const h = Math.floor(n / 3600e9);
  const m = Math.floor((n % 3600e9) / 60e9);
  const s = trimFraction(Math.floor((n % 60e9) / 1e9), n % 1e9, 9);
  return `${sign}${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}

/** Parses Go's duration syntax (`90s`, `1h30m`, `1.5ms`) to nanoseconds. */
export function parseDuration(v: unknown, path: string): number {
  if (typeof v !== 'string' || v === '') throw new NotRepresentable(`${path}: ${JSON.stringify(v)} is not a duration`);
  const body = v.replace(/^[-+]/, '');
  let total = 0;
  let rest = body;
  while (rest !== '') {
    const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (m === null) throw new NotRepresentable(`${path}: ${JSON.stringify(v)} is not a duration`);
    total += Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1);
    rest = rest.slice(m[0].length);
  }
  return Math.round(v.startsWith('-') ? -total : total);
}
