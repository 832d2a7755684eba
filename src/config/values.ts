import { isIP } from 'node:net';
import { LOG_LEVELS } from './log-levels.js';
import type { LogLevel } from './log-levels.js';
import { MAX_TIMER_MS } from './durations.js';
import { ConfigError, expected, show } from './errors.js';

/** What every boolean setting accepts, for messages and `--help`. */
export const BOOLEAN_WORDS = '`true`, `false`, `1` or `0`';

/** `true`/`false` (any case), `1`/`0`. Stricter than "anything but true is false": a typo must not flip a switch. */
export function parseBool(raw: string, setting: string): boolean {
  const word = raw.trim().toLowerCase();
  if (word === 'true' || word === '1') return true;
  if (word === 'false' || word === '0') return false;
  throw expected(setting, BOOLEAN_WORDS, raw);
}

/** A decimal integer in `[min, max]`; `accepted` describes the range for the message. */
export function parseIntInRange(raw: string, setting: string, min: number, max: number, accepted: string): number {
  const text = raw.trim();
  if (!/^\d+$/.test(text)) throw expected(setting, accepted, raw);
  const n = Number(text);
  if (n < min || n > max) throw expected(setting, accepted, raw);
  return n;
}

/** A TCP port, 1-65535. */
export function parsePort(raw: string, setting: string): number {
  return parseIntInRange(raw, setting, 1, 65_535, 'a port 1-65535');
}

/**
 * Whole milliseconds > 0, as the OTel spec writes its timeouts and intervals; at most the
 * Node.js timer limit. A Go-style duration gets a pointed message, since flags here take one.
 */
export function parseOtelMillis(raw: string, setting: string): number {
  const text = raw.trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n > 0 && n <= MAX_TIMER_MS) return n;
  }
  const hint = /[a-z]/i.test(text) ? ' (OTel variables take plain milliseconds, no unit)' : '';
  throw new ConfigError(`${setting}: expected whole milliseconds 1-${MAX_TIMER_MS}${hint}, got ${show(raw)}`);
}

/** An address to listen on: an IPv4 or IPv6 literal, or `localhost`. Host names are refused: they can resolve to several addresses. */
export function parseBindAddress(raw: string, setting: string): string {
  const text = raw.trim();
  if (text === 'localhost' || isIP(text) !== 0) return text;
  throw expected(setting, 'an IPv4 or IPv6 address or `localhost`', raw);
}

/** One of pino's levels, any case; returned lower-case. */
export function parseLogLevel(raw: string, setting: string): LogLevel {
  const word = raw.trim().toLowerCase();
  const level = LOG_LEVELS.find((l) => l === word);
  if (level === undefined) throw expected(setting, `one of ${LOG_LEVELS.map((l) => `\`${l}\``).join(', ')}`, raw);
  return level;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Kubernetes object name (DNS-1123 subdomain: lower-case letters, digits, `-`, `.`, at most 253). */
export function parseObjectName(raw: string, setting: string): string {
  if (raw.length <= 253 && DNS1123_SUBDOMAIN.test(raw)) return raw;
  throw expected(setting, 'a Kubernetes object name (lower-case letters, digits, `-` and `.`, at most 253 characters)', raw);
}
