import type { CheckResult } from './checks.js';

/** The word in the trailer line: `/healthz` serves the readyz checks but says `healthz`. */
export type ProbeLabel = 'livez' | 'readyz' | 'healthz';

/** One line of a root probe: a check that ran, or one skipped by `?exclude=`. */
export type CheckOutcome =
  | { readonly name: string; readonly excluded: true }
  | { readonly name: string; readonly excluded: false; readonly result: CheckResult };

export interface RenderOptions {
  /** `?verbose` was present (with any value). */
  readonly verbose: boolean;
  /** `?exclude=` names that matched no registered check. */
  readonly unknownExcludes: readonly string[];
}

export interface Rendered {
  readonly status: 200 | 404 | 405 | 500;
  readonly body: string;
}

/**
 * Body and status of `/livez`, `/readyz`, `/healthz`, byte for byte as the Kubernetes
 * apiserver writes them: `ok` alone on success; the check list on failure (always) or with
 * `?verbose`; failure reasons withheld because the endpoint is unauthenticated.
 */
export function renderHealth(label: ProbeLabel, outcomes: readonly CheckOutcome[], options: RenderOptions): Rendered {
  const lines = outcomes.map(outcomeLine);
  if (options.unknownExcludes.length > 0) {
    lines.push(`warn: some health checks cannot be excluded: no matches for ${formatQuoted(options.unknownExcludes)}`);
  }
  const list = lines.map((line) => `${line}\n`).join('');
  const failed = outcomes.some((o) => !o.excluded && !o.result.ok);
  if (failed) return { status: 500, body: `${list}${label} check failed\n` };
  if (!options.verbose) return { status: 200, body: 'ok' };
  return { status: 200, body: `${list}${label} check passed\n` };
}

function outcomeLine(outcome: CheckOutcome): string {
  if (outcome.excluded) return `[+]${outcome.name} excluded: ok`;
  return outcome.result.ok ? `[+]${outcome.name} ok` : `[-]${outcome.name} failed: reason withheld`;
}

/** Body and status of `/<kind>/<check>`; `undefined` means no such check. Here the reason is shown. */
export function renderSingleCheck(result: CheckResult | undefined): Rendered {
  if (result === undefined) return NOT_FOUND;
  return result.ok ? { status: 200, body: 'ok' } : { status: 500, body: `internal server error: ${result.reason}\n` };
}

/** Go's `http.NotFound` body. */
export const NOT_FOUND: Rendered = Object.freeze({ status: 404, body: '404 page not found\n' });

/**
 * Unknown names sorted by bytes and each quoted like Go's `%q`, joined by `,` — what the
 * apiserver prints, since its exclude set lists itself sorted.
 */
export function formatQuoted(names: readonly string[]): string {
  const unique = [...new Set(names)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return unique.map(goQuote).join(',');
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\',
};

// Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** `strconv.Quote`: a double-quoted Go string literal with Go's escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (PRINTABLE.test(ch)) out += ch;
    else out += escapeCodePoint(ch.codePointAt(0) ?? 0);
  }
  return `${out}"`;
}

function escapeCodePoint(cp: number): string {
  // A lone surrogate has no UTF-8 form; it reaches Go as U+FFFD, which is printable.
  if (cp >= 0xd800 && cp <= 0xdfff) return '\ufffd';
  if (cp < 0x20 || cp === 0x7f) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}
