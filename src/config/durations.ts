import { ConfigError, show } from './errors.js';

/**
 * The largest duration any setting takes, ms: Node.js timers (`setTimeout`, `setInterval`) fire
 * after 1 ms for anything longer than 2^31-1 ms, so a longer value would silently mean "now".
 */
export const MAX_TIMER_MS = 2_147_483_647;

const NS_PER_UNIT: ReadonlyMap<string, bigint> = new Map(Object.entries({
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign, as Go accepts
  'μs': 1_000n, // U+03BC Greek mu, as Go accepts
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
}));

const TERM = /^(\d*)(?:\.(\d*))?([a-zµμ]+)/;
const GO_DURATION_HINT = 'a duration like `500ms`, `30s`, `1m30s` or `2h`';

/**
 * Parses Go's `time.ParseDuration` syntax (what Kube-OVN/pflag users write): an optional sign, then
 * one or more `<number><unit>` terms with units `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`; a bare `0` is
 * zero. Returns milliseconds (fractional below 1 ms). Arithmetic is exact (bigint nanoseconds), so
 * `1.1s` is exactly 1100. Throws `ConfigError` naming `setting` on bad syntax.
 */
export function parseGoDuration(raw: string, setting: string): number {
  let rest = raw;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw badDuration(setting, raw);
  let totalNs = 0n;
  while (rest !== '') {
    const term = TERM.exec(rest);
    if (term === null) throw badDuration(setting, raw);
    const [whole, intDigits = '', fracDigits = '', unit = ''] = term;
    const perUnit = NS_PER_UNIT.get(unit);
    if (perUnit === undefined || (intDigits === '' && fracDigits === '')) throw badDuration(setting, raw);
    totalNs += termNs(intDigits, fracDigits, perUnit);
    rest = rest.slice(whole.length);
  }
  const ms = Number(totalNs) / 1e6;
  return negative ? -ms : ms;
}

function termNs(intDigits: string, fracDigits: string, perUnit: bigint): bigint {
  const scale = 10n ** BigInt(fracDigits.length);
  const scaled = BigInt(intDigits || '0') * scale + BigInt(fracDigits || '0');
  // Go truncates fractions of a nanosecond; so do we.
  return (scaled * perUnit) / scale;
}

function badDuration(setting: string, raw: string): ConfigError {
  const hint = /^\d+$/.test(raw) ? ' (a unit is required)' : '';
  return new ConfigError(`${setting}: expected ${GO_DURATION_HINT}${hint}, got ${show(raw)}`);
}

/**
 * Formats milliseconds the way a person writes a Go duration, dropping zero parts:
 * 300000 → `5m`, 90000 → `1m30s`, 500 → `500ms`, 0 → `0s`. `parseGoDuration` reads it back.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const parts: string[] = [];
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  if (rest > 0) parts.push(`${Number(rest.toFixed(6))}ms`);
  return sign + parts.join('');
}

/** A Go duration that must be > 0 and within the timer limit; returns ms. */
export function parsePositiveDuration(raw: string, setting: string): number {
  const ms = parseGoDuration(raw, setting);
  if (ms <= 0) throw new ConfigError(`${setting}: expected a duration greater than 0 (e.g. \`30s\`), got ${show(raw)}`);
  if (ms > MAX_TIMER_MS) {
    throw new ConfigError(`${setting}: expected a duration of at most ${formatDuration(MAX_TIMER_MS)} (the Node.js timer limit), got ${show(raw)}`);
  }
  return ms;
}
