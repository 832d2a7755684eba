import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { HistogramMetricData, MetricData } from '@opentelemetry/sdk-metrics';
import { startRuntimeMetrics } from '../../src/telemetry/runtime.js';

function setup() {
  const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ readers: [reader] });
  const runtime = startRuntimeMetrics(provider.getMeter('runtime-test'));
  const collect = async (): Promise<Map<string, MetricData>> => {
    const { resourceMetrics } = await reader.collect();
    return new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
  };
  return { runtime, collect, provider };
}

/** A way to trigger a real garbage collection without starting node with --expose-gc. */
function forceGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('runtime metrics', () => {
  test('report heap per space, RSS and event-loop utilization with semantic-convention units', async (t) => {
    const { runtime, collect, provider } = setup();
    t.after(async () => {
      runtime.stop();
      await provider.shutdown();
    });
    const metrics = await collect();

    const heap = metrics.get('v8js.memory.heap.used');
    assert.equal(heap?.descriptor.unit, 'By');
    const spaces = heap?.dataPoints.map((p) => p.attributes['v8js.heap.space.name']) ?? [];
    assert.ok(spaces.includes('old_space') && spaces.includes('new_space'), spaces.join(','));
    assert.equal(metrics.get('v8js.memory.heap.limit')?.dataPoints.length, spaces.length);
    assert.ok(Number(metrics.get('process.memory.usage')?.dataPoints[0]?.value) > 0);
    const elu = Number(metrics.get('nodejs.eventloop.utilization')?.dataPoints[0]?.value);
    assert.ok(elu >= 0 && elu <= 1, String(elu));
  });

  test('report event-loop delay statistics in seconds once the loop was sampled', async (t) => {
    const { runtime, collect, provider } = setup();
    t.after(async () => {
      runtime.stop();
      await provider.shutdown();
    });
    // Sampling is timer-driven (20 ms); block the loop long enough to be measured.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const until = performance.now() + 30;
    while (performance.now() < until);
    await new Promise((resolve) => setTimeout(resolve, 30));

    const metrics = await collect();
    const max = Number(metrics.get('nodejs.eventloop.delay.max')?.dataPoints[0]?.value);
    assert.equal(metrics.get('nodejs.eventloop.delay.p99')?.descriptor.unit, 's');
    assert.ok(max > 0.01 && max < 5, `max delay ${max}s`);
  });

  test('record garbage collections in v8js.gc.duration by type', async (t) => {
    const { runtime, collect, provider } = setup();
    t.after(async () => {
      runtime.stop();
      await provider.shutdown();
    });
    forceGc();
    // PerformanceObserver delivers entries asynchronously; poll briefly.
    let gc: HistogramMetricData | undefined;
    for (let i = 0; i < 50 && gc === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      gc = (await collect()).get('v8js.gc.duration') as HistogramMetricData | undefined;
    }
    assert.equal(gc?.descriptor.unit, 's');
    assert.ok(gc?.dataPoints.some((p) => p.attributes['v8js.gc.type'] === 'major' && p.value.count >= 1));
  });

  test('stop removes the observations', async (t) => {
    const { runtime, collect, provider } = setup();
    t.after(() => provider.shutdown());
    runtime.stop();
    runtime.stop();
    const metrics = await collect();
    assert.equal(metrics.get('nodejs.eventloop.utilization')?.dataPoints.length ?? 0, 0);
  });
});
