// Issue 10 case 3: label values come from closed sets, and a cardinality limit backs that up.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
import { cardinalityViews } from '../../src/telemetry/telemetry.js';
import { createInstruments, METRIC_CARDINALITY_LIMIT, subnetLabel, UNKNOWN_SUBNET } from '../../src/telemetry/index.js';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function setup() {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader], views: cardinalityViews() });
  const instruments = createInstruments(provider.getMeter('test'));
  const points = async (name: string): Promise<DataPoint<unknown>[]> => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as DataPoint<unknown>[]);
  };
  return { instruments, points };
}

describe('metric cardinality', () => {
  it('folds attribute sets past the limit into one overflow series', async () => {
    const { instruments, points } = setup();
    for (let i = 0; i < METRIC_CARDINALITY_LIMIT * 2; i++) instruments.ipamAllocations.add(1, { subnet_name: `junk-${i}-${'x'.repeat(1500)}`, result: 'error' });
    const got = await points('ipam_allocations_total');
    assert.equal(got.length, METRIC_CARDINALITY_LIMIT);
    const overflow = got.find((p) => p.attributes['otel.metric.overflow'] === true);
    assert.ok(overflow !== undefined, 'an overflow series');
    assert.equal(overflow.value, METRIC_CARDINALITY_LIMIT + 1);
  });

  it('keeps the histogram bucket advice under the view', async () => {
    const { instruments, points } = setup();
    instruments.reconcileTime.record(0.02, { controller: 'pod' });
    const [point] = await points('controller_runtime_reconcile_time_seconds');
    assert.equal((point?.value as Histogram).buckets.boundaries.length, 40, 'controller-runtime buckets');
  });

  it('counts conflicting claims per served subnet (ipam_conflicts_total)', async () => {
    const { instruments, points } = setup();
    instruments.ipamConflicts.add(1, { subnet_name: 'ovn-default' });
    instruments.ipamConflicts.add(1, { subnet_name: 'ovn-default' });
    assert.deepEqual((await points('ipam_conflicts_total')).map((p) => [p.attributes['subnet_name'], p.value]), [['ovn-default', 2]]);
  });

  it('maps a subnet label to a served subnet or unknown', () => {
    const served = new Set(['ovn-default', 'tenant-a']);
    const isServed = (n: string) => served.has(n);
    const cases: [string | undefined, string][] = [
      ['ovn-default', 'ovn-default'],
      ['tenant-a', 'tenant-a'],
      ['does-not-exist', UNKNOWN_SUBNET],
      ['x'.repeat(1536), UNKNOWN_SUBNET],
      ['', UNKNOWN_SUBNET],
      [undefined, UNKNOWN_SUBNET],
    ];
    for (const [name, want] of cases) assert.equal(subnetLabel(name, isServed), want, String(name).slice(0, 20));
    assert.equal(subnetLabel('a'.repeat(254), () => true), UNKNOWN_SUBNET, 'never longer than an object name');
  });
});
