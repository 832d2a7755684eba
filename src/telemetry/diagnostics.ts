import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import type { RateLimitedLogger } from '../log/index.js';

/**
 * The reader reports every failed export to the global error handler with this prefix; the
 * export guard has already logged the same failure with its real cause, so it is dropped here.
 */
const EXPORT_FAILED_PREFIX = 'PeriodicExportingMetricReader: metrics export failed';

/**
 * A rate-limit key for a free-text OTel message: numbers (ports, ms, counts) are blanked and
 * the text cut short, so one kind of message shares one key however its numbers vary.
 */
export function messageKey(prefix: string, message: string): string {
  return `${prefix}:${message.replace(/\d+/g, '#').slice(0, 80)}`;
}

function describe(args: unknown[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const errors = args.filter((a) => a instanceof Error);
  if (errors.length > 0) fields.err = errors[0];
  const rest = args.filter((a) => !(a instanceof Error));
  if (rest.length > 0) fields.args = rest.map((a) => (typeof a === 'string' ? a : safeJson(a)));
  return fields;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 500) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * OTel's `diag` is the one unavoidable global: this routes it (and the global error handler,
 * where the periodic reader reports failed exports) into our rate-limited logger. Only `warn`
 * and `error` reach the log; lower levels are dropped by `level`.
 *
 * @param level most verbose diag level that is logged; default `DiagLogLevel.WARN`.
 */
export function routeOtelDiagnostics(limited: RateLimitedLogger, level: DiagLogLevel = DiagLogLevel.WARN): void {
  const emit = (severity: 'warn' | 'error') => (message: string, ...args: unknown[]) => {
    limited.log(severity, messageKey(`otel.diag.${severity}`, message), { component: 'otel', ...describe(args) }, message);
  };
  const ignore = (): void => {};
  const logger: DiagLogger = { error: emit('error'), warn: emit('warn'), info: ignore, debug: ignore, verbose: ignore };
  diag.setLogger(logger, { logLevel: level, suppressOverrideMessage: true });
  setGlobalErrorHandler((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith(EXPORT_FAILED_PREFIX)) return;
    limited.log('error', messageKey('otel.error', message), { component: 'otel', err: error }, 'OpenTelemetry error');
  });
}
