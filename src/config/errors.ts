/**
 * A configuration problem a person must fix. Thrown inside `src/config` only and turned into
 * `{ kind: 'error' }` by `parseConfig`; anything else that is thrown there is a bug.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const MAX_SHOWN = 120;
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A user-supplied value for an error message: in backticks, on one line (control characters
 * escaped) and cut at 120 characters, so `main.ts` can print any message as exactly one line.
 */
export function show(value: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = value.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const cut = escaped.length > MAX_SHOWN ? `${escaped.slice(0, MAX_SHOWN)}…` : escaped;
  return `\`${cut}\``;
}

/** The common error shape: ``<setting>: expected <accepted>, got `<value>` ``. */
export function expected(setting: string, accepted: string, value: string): ConfigError {
  return new ConfigError(`${setting}: expected ${accepted}, got ${show(value)}`);
}
