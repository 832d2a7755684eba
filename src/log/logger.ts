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
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: options.base ?? {},
      // ISO timestamps are what `kubectl logs` readers and log pipelines parse without config.
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ fd: 1, sync: true }),
  );
}
