import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { createRateLimitedLogger } from '../../src/log/index.js';
import { classifyExportError } from '../../src/telemetry/index.js';
import { guardExporter } from '../../src/telemetry/export-guard.js';
import { captureLogger } from './fixtures.js';

const withCode = (message: string, code: unknown) => Object.assign(new Error(message), { code });

describe('classifyExportError', () => {
  for (const [error, expected] of [
    [withCode('connect ECONNREFUSED 127.0.0.1:4318', 'ECONNREFUSED'), { kind: 'refused' }],
    [withCode('socket hang up', 'ECONNRESET'), { kind: 'reset' }],
    [new Error('Request timed out'), { kind: 'timeout' }],
    [withCode('Internal Server Error', 500), { kind: 'http_status', status: 500 }],
    [new Error('Export failed with retryable status'), { kind: 'retries_exhausted' }],
    [new Error('Concurrent export limit reached'), { kind: 'concurrency_limit' }],
    [new Error('something else'), { kind: 'other' }],
    ['not an error', { kind: 'other' }],
  ] as const) {
    test(`classifies ${error instanceof Error ? error.message : String(error)} as ${expected.kind}`, () => {
      assert.deepEqual(classifyExportError(error), expected);
    });
  }
});

function setup(results: ExportResult[]) {
  let clock = 0;
  const { logger, lines } = captureLogger();
  const limited = createRateLimitedLogger(logger, { intervalMs: 1000, now: () => clock });
  const inner: PushMetricExporter = {
    export: (_metrics, callback) => callback(results.shift() ?? { code: ExportResultCode.SUCCESS }),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const guarded = guardExporter(inner, { name: 'otlp', logger, limited });
  const exportOnce = () => new Promise<ExportResult>((resolve) => guarded.export({} as ResourceMetrics, resolve));
  return { exportOnce, lines, advance: (ms: number) => (clock += ms) };
}

describe('guardExporter', () => {
  test('logs a failure once per interval per kind and passes every result through', async () => {
    const refused = { code: ExportResultCode.FAILED, error: withCode('refused', 'ECONNREFUSED') };
    const status = { code: ExportResultCode.FAILED, error: withCode('Bad Request', 400) };
    const { exportOnce, lines, advance } = setup([refused, refused, status, refused, refused]);

    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await exportOnce()).code);
    advance(1000);
    codes.push((await exportOnce()).code);

    assert.deepEqual(codes, Array(5).fill(ExportResultCode.FAILED));
    assert.deepEqual(lines.map((l) => [l.kind, l.status, l.suppressed]), [['refused', undefined, undefined], ['http_status', 400, undefined], ['refused', undefined, 2]]);
  });

  test('logs recovery once after failures, and nothing while healthy', async () => {
    const { exportOnce, lines } = setup([{ code: ExportResultCode.SUCCESS }, { code: ExportResultCode.FAILED, error: new Error('x') }]);
    for (let i = 0; i < 4; i++) await exportOnce();
    assert.deepEqual(lines.map((l) => l.msg), ['metrics export failed', 'metrics export recovered']);
  });

  test('reports an exporter that throws as a failed export instead of throwing', async () => {
    const { logger } = captureLogger();
    const limited = createRateLimitedLogger(logger);
    const inner: PushMetricExporter = {
      export: () => {
        throw new Error('serializer bug');
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const result = await new Promise<ExportResult>((resolve) => guardExporter(inner, { name: 'otlp', logger, limited }).export({} as ResourceMetrics, resolve));
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.equal(result.error?.message, 'serializer bug');
  });
});
