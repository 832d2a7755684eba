// A slow, down, hanging or erroring collector must never crash the controller, never leave an
// unhandled rejection, never flood the log and never hold unbounded work in memory (DESIGN §6).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTelemetry } from '../../src/telemetry/index.js';
import type { Telemetry } from '../../src/telemetry/index.js';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import type { OtlpReceiver, ReceiverMode } from '../support/otlp-receiver.js';
import { captureLogger, metricsConfig, otlpExporter, POD, recordEverything, withRejectionTripwire } from './fixtures.js';
import type { LogLine } from './fixtures.js';

/** Export period and log interval of these tests, ms: several export cycles per log interval. */
const INTERVAL_MS = 100;
const LOG_INTERVAL_MS = 600;
/** How long each fault is kept up, ms: two log intervals. */
const FAULT_MS = 1300;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function setup(mode: ReceiverMode, requestTimeoutMs: number): Promise<{ receiver: OtlpReceiver; telemetry: Telemetry; lines: LogLine[] }> {
  const receiver = await startOtlpReceiver({ mode });
  const { logger, lines } = captureLogger();
  const exporter = otlpExporter(receiver.url, { intervalMs: INTERVAL_MS, exportTimeoutMs: INTERVAL_MS, requestTimeoutMs });
  const telemetry = createTelemetry({ metrics: metricsConfig([exporter]), pod: POD, version: '1', logger, logIntervalMs: LOG_INTERVAL_MS });
  await telemetry.start();
  recordEverything(telemetry);
  return { receiver, telemetry, lines };
}

const FAULTS: ReadonlyArray<{ name: string; mode: ReceiverMode; kind: string }> = [
  { name: 'refuses connections', mode: { kind: 'refuse' }, kind: 'refused' },
  { name: 'accepts and never answers', mode: { kind: 'hang' }, kind: 'timeout' },
  { name: 'answers 500', mode: { kind: 'status', code: 500 }, kind: 'http_status' },
  { name: 'answers 503', mode: { kind: 'status', code: 503 }, kind: 'retries_exhausted' },
  { name: 'answers 429 with Retry-After', mode: { kind: 'status', code: 429, retryAfterSeconds: 1 }, kind: 'retries_exhausted' },
];

describe('otlp exporter against a failing collector', () => {
  for (const fault of FAULTS) {
    test(`a collector that ${fault.name} is logged rate-limited, crashes nothing, and recovery is seen`, async (t) => {
      const { receiver, telemetry, lines } = await setup(fault.mode, 80);
      t.after(async () => {
        await telemetry.shutdown(1000);
        await receiver.close();
      });

      const { unhandled } = await withRejectionTripwire(async () => {
        await sleep(FAULT_MS);
        await receiver.setMode({ kind: 'ok' });
        await receiver.waitFor(() => receiver.requests.some((r) => r.answer === 200), 5000);
      });

      assert.deepEqual(unhandled, []);
      const failures = lines.filter((l) => l.msg === 'metrics export failed');
      assert.ok(failures.length >= 1, 'the failure is logged');
      assert.equal(failures[0]?.kind, fault.kind, JSON.stringify(failures[0]));
      // Over FAULT_MS there were ~13 export cycles; one line per kind per LOG_INTERVAL_MS passes.
      const perKind = new Map<unknown, number>();
      for (const f of failures) perKind.set(`${String(f.kind)}.${String(f.status)}`, (perKind.get(`${String(f.kind)}.${String(f.status)}`) ?? 0) + 1);
      for (const [kind, count] of perKind) assert.ok(count <= Math.ceil(FAULT_MS / LOG_INTERVAL_MS) + 1, `${kind}: ${count} lines`);
      // On a loaded machine fewer cycles fit in FAULT_MS and the interval may pass only once;
      // whenever a second line of one kind was logged, it must count what was suppressed.
      const repeats = failures.filter((f, i) => failures.slice(0, i).some((e) => e.kind === f.kind && e.status === f.status));
      assert.ok(repeats.every((f) => Number(f.suppressed) > 0), 'later lines count the suppressed ones');
      const all = lines.filter((l) => l.level === 'error' || l.level === 'warn');
      assert.ok(all.length <= 10, `at most a handful of warn/error lines in total, got ${all.length}: ${all.map((l) => l.msg).join(' | ')}`);
      await receiver.waitFor(() => lines.some((l) => l.msg === 'metrics export recovered'), 2000);
    });
  }

  test('holds a bounded number of requests open against a collector that never answers', async (t) => {
    // Requests time out after 2 s while a new export starts every 100 ms.
    const { receiver, telemetry } = await setup({ kind: 'hang' }, 2000);
    t.after(async () => {
      await telemetry.shutdown(500);
      await receiver.close();
    });
    let most = 0;
    for (let elapsed = 0; elapsed < 1500; elapsed += 50) {
      await sleep(50);
      most = Math.max(most, receiver.openConnections());
    }
    assert.ok(receiver.requests.length >= 2, `exports kept being attempted (${receiver.requests.length})`);
    assert.ok(most <= 4, `at most 4 requests in flight, saw ${most}`);
  });

  test('shutdown returns within its bound while the collector hangs, and closes its connections', async () => {
    const receiver = await startOtlpReceiver({ mode: { kind: 'hang' } });
    const { logger, lines } = captureLogger();
    const exporter = otlpExporter(receiver.url, { intervalMs: 60_000, exportTimeoutMs: 30_000, requestTimeoutMs: 30_000 });
    const telemetry = createTelemetry({ metrics: metricsConfig([exporter]), pod: POD, version: '1', logger });
    await telemetry.start();
    recordEverything(telemetry);

    const { result: elapsed, unhandled } = await withRejectionTripwire(async () => {
      const started = performance.now();
      await telemetry.shutdown(300);
      return performance.now() - started;
    });
    assert.ok(elapsed < 450, `shutdown took ${elapsed.toFixed(0)} ms, bound 300 ms`);
    assert.deepEqual(unhandled, []);
    assert.equal(receiver.requests.length, 1, 'the final flush was attempted');
    assert.ok(lines.some((l) => l.msg === 'metrics shutdown timed out; unsent metrics are dropped'));
    await receiver.waitFor(() => receiver.openConnections() === 0, 2000);
    await receiver.close();
  });
});
