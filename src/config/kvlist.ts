import { ConfigError, show } from './errors.js';

export interface KeyValueOptions {
  /** The variable name, for messages. */
  readonly setting: string;
  /** Show values in messages? False for headers, which often carry credentials. */
  readonly showValues: boolean;
}

function decode(text: string, setting: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ConfigError(`${setting}: expected percent-encoding like \`%20\` in ${what}, got a malformed escape`);
  }
}

/**
 * Parses the OTel `key1=value1,key2=value2` form (W3C Baggage without `;` properties) used by
 * `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_EXPORTER_OTLP_*HEADERS`: whitespace around keys and values
 * is trimmed, keys and values are percent-decoded, empty members are skipped, a later key wins.
 * A member without `=` or with an empty key is an error (the spec lets SDKs drop the whole
 * variable; we stop instead of guessing).
 */
export function parseKeyValueList(raw: string, options: KeyValueOptions): Record<string, string> {
  const { setting, showValues } = options;
  // A Map, then fromEntries: a key like `__proto__` must become data, not a prototype change.
  const out = new Map<string, string>();
  const members = raw.split(',');
  for (const [index, member] of members.entries()) {
    if (member.trim() === '') continue;
    const eq = member.indexOf('=');
    const key = eq < 0 ? '' : member.slice(0, eq).trim();
    if (key === '') {
      const which = showValues ? `got ${show(member)}` : `member ${index + 1} of ${members.length} is not one (value withheld)`;
      throw new ConfigError(`${setting}: expected a comma list of \`key=value\` pairs, ${which}`);
    }
    const decodedKey = decode(key, setting, `key ${show(key)}`);
    const value = decode(member.slice(eq + 1).trim(), setting, `the value of ${show(decodedKey)}`);
    out.set(decodedKey, value);
  }
  return Object.fromEntries(out);
}
