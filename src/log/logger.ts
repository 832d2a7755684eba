import { pino } from 'pino';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import { LOG_LEVELS } from '../config/log-levels.js';
import type { LogLevel } from '../config/log-levels.js';

/** The structured logger every concern receives; JSON lines on stdout in production. */
export type Logger = PinoLogger;

export { LOG_LEVELS };
export type { LogLevel };

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; default: stdout, written synchronously so a crash loses nothing. */
  destination?: DestinationStream;
  /** Fields on every line (e.g. pod name). */
  base?: Record<string, unknown>;
  /**
   * Values that must never appear in a line (credentials from OTLP headers and URLs): replaced by
   * `[REDACTED]` wherever they occur, whichever field or error message carried them. Values
   * shorter than 3 characters are ignored (they would blank out ordinary text).
   */
  secrets?: readonly string[];
}

const REDACTED = '[REDACTED]';

/** A line scrubber for `secrets`, matching each value raw and as JSON escapes it. */
export function redactor(secrets: readonly string[]): ((line: string) => string) | undefined {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 3) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return undefined;
  return (line) => {
    let out = line;
    for (const form of ordered) if (out.includes(form)) out = out.split(form).join(REDACTED);
    return out;
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const scrub = redactor(options.secrets ?? []);
  return pino(
    {
      ...(scrub === undefined ? {} : { hooks: { streamWrite: scrub } }),
      level: options.level,
      base: options.base ?? {},
      // ISO timestamps are what `kubectl logs` readers and log pipelines parse without config.
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ fd: 1, sync: true }),
  );
}
