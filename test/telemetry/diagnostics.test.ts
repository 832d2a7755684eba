import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { diag } from '@opentelemetry/api';
import { globalErrorHandler, loggingErrorHandler, setGlobalErrorHandler } from '@opentelemetry/core';
import { createRateLimitedLogger } from '../../src/log/index.js';
import { messageKey, routeOtelDiagnostics } from '../../src/telemetry/diagnostics.js';
import { captureLogger } from './fixtures.js';

function setup() {
  let clock = 0;
  const { logger, lines } = captureLogger();
  routeOtelDiagnostics(createRateLimitedLogger(logger, { intervalMs: 1000, now: () => clock }));
  return { lines, advance: (ms: number) => (clock += ms) };
}

describe('OTel diagnostics routing', () => {
  afterEach(() => {
    diag.disable();
    setGlobalErrorHandler(loggingErrorHandler());
  });

  test('routes diag warnings and errors into the log, rate-limited per kind of message', () => {
    const { lines, advance } = setup();
    for (let port = 1; port <= 5; port++) diag.error(`export to 127.0.0.1:${port} failed`);
    diag.warn('partial success');
    diag.info('not logged at the default level');
    advance(1000);
    diag.error('export to 127.0.0.1:9 failed');

    assert.deepEqual(lines.map((l) => [l.level, l.msg, l.suppressed]), [
      ['error', 'export to 127.0.0.1:1 failed', undefined],
      ['warn', 'partial success', undefined],
      ['error', 'export to 127.0.0.1:9 failed', 4],
    ]);
  });

  test('logs global errors, except the reader\'s flattened export failures the export guard already logged', () => {
    const { lines } = setup();
    globalErrorHandler(new Error('PeriodicExportingMetricReader: metrics export failed (error Error: refused)'));
    globalErrorHandler(new Error('collection failed'));
    assert.deepEqual(lines.map((l) => l.msg), ['OpenTelemetry error']);
    assert.equal((lines[0]?.err as { message?: string }).message, 'collection failed');
  });

  test('blanks numbers in rate-limit keys so ports and durations do not make new keys', () => {
    assert.equal(messageKey('p', 'timed out after 100ms'), messageKey('p', 'timed out after 2500ms'));
  });
});
