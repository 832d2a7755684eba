import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry } from '../../src/telemetry/index.js';
import { captureLogger, metricsConfig, NO_POD } from './fixtures.js';

function setup() {
  const { logger, lines } = captureLogger();
  const telemetry = createTelemetry({
    metrics: metricsConfig([{ kind: 'console', intervalMs: 60_000, exportTimeoutMs: 1000 }]),
    pod: NO_POD,
    version: '0.0.0-test',
    logger,
  });
  return { telemetry, lines };
}

test('the console exporter writes metrics as JSON log lines, keeping stdout one JSON object per line', async () => {
  const { telemetry, lines } = setup();
  await telemetry.start();
  telemetry.instruments.reconcileTotal.add(3, { controller: 'pod', result: 'success' });
  await telemetry.shutdown(2000); // the final flush is the export under test
  const line = lines.find((l) => l.msg === 'metric' && (l['metric'] as { name?: string }).name === 'controller_runtime_reconcile_total');
  assert.ok(line, `no metric line among: ${lines.map((l) => l.msg).join(', ')}`);
  const metric = line['metric'] as { points: { attributes: Record<string, string>; value: number }[] };
  assert.deepEqual(metric.points, [{ attributes: { controller: 'pod', result: 'success' }, value: 3 }]);
  assert.equal(line['exporter'], 'console');
});
