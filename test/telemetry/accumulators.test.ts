import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Meter } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { HistogramMetricData, MetricProducer, ResourceMetrics, SumMetricData } from '@opentelemetry/sdk-metrics';
import { CARDINALITY_LIMIT, createAccumulators } from '../../src/telemetry/accumulators.js';
import { createInstruments } from '../../src/telemetry/instruments.js';
import type { Instruments } from '../../src/telemetry/instruments.js';

/** A pull reader whose collections the test triggers. */
class ManualReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const resource = resourceFromAttributes({ 'service.name': 'test' });

/** The same catalogue twice: once on the SDK's own instruments, once accumulating; one clock. */
function setup(temporality: AggregationTemporality = AggregationTemporality.CUMULATIVE) {
  let clock = 1_700_000_000_000;
  const now = () => clock;
  const accumulators = createAccumulators({ scope: { name: 'kube-ovn-controller' }, now });
  const producer: MetricProducer = accumulators.producer(() => temporality);
  const fast = new ManualReader({ metricProducers: [producer], aggregationTemporalitySelector: () => temporality });
  const sdk = new ManualReader({ aggregationTemporalitySelector: () => temporality });
  const meter = (reader: MetricReader): Meter => new MeterProvider({ resource, readers: [reader] }).getMeter('kube-ovn-controller');
  return {
    sdk: { reader: sdk, instruments: createInstruments(meter(sdk)) },
    fast: { reader: fast, instruments: createInstruments(accumulators.wrap(meter(fast))) },
    advance: (ms: number) => (clock += ms),
  };
}

function record(i: Instruments): void {
  i.reconcileTotal.add(2, { controller: 'pod', result: 'success' });
  // Another key order names the same series.
  i.reconcileTotal.add(1, { result: 'success', controller: 'pod' } as { controller: string; result: 'success' });
  i.reconcileTotal.add(1, { controller: 'subnet', result: 'error' });
  i.reconcileTotal.add(-5, { controller: 'pod', result: 'success' });
  for (const v of [0.001, 0.005, 0.3, 0.3, 2, 100, -1]) i.reconcileTime.record(v, { controller: 'pod' });
  i.restClientRequests.add(1, { code: '200', method: 'GET', host: 'h:6443' });
  i.restClientRequestDuration.record(0.02, { verb: 'GET', host: 'h:6443' });
}

async function collect(reader: MetricReader): Promise<ResourceMetrics> {
  const { resourceMetrics, errors } = await reader.collect();
  assert.deepEqual(errors, []);
  return resourceMetrics;
}

function exposition(rm: ResourceMetrics): string {
  // Timestamps differ by design (the SDK stamps each record); the text format carries none here.
  return new PrometheusSerializer('', false, undefined, true, true).serialize(rm);
}

const metric = <T>(rm: ResourceMetrics, name: string): T | undefined => rm.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name) as T | undefined;

describe('accumulating counters and histograms', () => {
  test('give the same Prometheus exposition as the SDK instruments for the same recordings', async () => {
    const { sdk, fast } = setup();
    record(sdk.instruments);
    record(fast.instruments);
    const expected = exposition(await collect(sdk.reader));
    assert.match(expected, /controller_runtime_reconcile_total\{controller="pod",result="success"\} 3/);
    assert.equal(exposition(await collect(fast.reader)), expected);
  });

  test('drop NaN, which would make the SDK report a series as NaN for good', async () => {
    const { fast } = setup();
    fast.instruments.reconcileTotal.add(1, { controller: 'pod', result: 'success' });
    fast.instruments.reconcileTotal.add(Number.NaN, { controller: 'pod', result: 'success' });
    fast.instruments.reconcileTime.record(Number.NaN, { controller: 'pod' });
    const rm = await collect(fast.reader);
    assert.deepEqual(metric<SumMetricData>(rm, 'controller_runtime_reconcile_total')?.dataPoints.map((p) => p.value), [1]);
    assert.equal(metric<HistogramMetricData>(rm, 'controller_runtime_reconcile_time_seconds'), undefined, 'no series without a valid value');
  });

  test('report cumulative points that keep growing, from the series start', async () => {
    const { fast, advance } = setup();
    fast.instruments.workqueueAdds.add(1, { name: 'pod' });
    await collect(fast.reader);
    advance(5000);
    fast.instruments.workqueueAdds.add(2, { name: 'pod' });
    const sum = metric<SumMetricData>(await collect(fast.reader), 'workqueue_adds_total');
    assert.equal(sum?.aggregationTemporality, AggregationTemporality.CUMULATIVE);
    assert.equal(sum?.dataPointType, DataPointType.SUM);
    assert.equal(sum?.isMonotonic, true);
    assert.deepEqual(sum?.dataPoints.map((p) => [p.value, p.startTime[0], p.endTime[0]]), [[3, 1_700_000_000, 1_700_000_005]]);
  });

  test('report to a delta reader only what moved since its last collection', async () => {
    const { fast, advance } = setup(AggregationTemporality.DELTA);
    fast.instruments.workqueueAdds.add(1, { name: 'pod' });
    fast.instruments.workqueueAdds.add(1, { name: 'ip' });
    fast.instruments.workqueueWorkDuration.record(0.5, { name: 'pod' });
    await collect(fast.reader);
    advance(1000);
    fast.instruments.workqueueAdds.add(4, { name: 'pod' });
    const rm = await collect(fast.reader);
    const sum = metric<SumMetricData>(rm, 'workqueue_adds_total');
    assert.equal(sum?.aggregationTemporality, AggregationTemporality.DELTA);
    assert.deepEqual(sum?.dataPoints.map((p) => [p.attributes.name, p.value, p.startTime[0]]), [['pod', 4, 1_700_000_000]]);
    assert.equal(metric<HistogramMetricData>(rm, 'workqueue_work_duration_seconds'), undefined, 'an unmoved histogram has no delta point');
    fast.instruments.workqueueWorkDuration.record(2, { name: 'pod' });
    const h = metric<HistogramMetricData>(await collect(fast.reader), 'workqueue_work_duration_seconds');
    assert.deepEqual([h?.dataPoints[0]?.value.count, h?.dataPoints[0]?.value.sum], [1, 2]);
  });

  test('fold attribute sets past the cardinality limit into one overflow series', async () => {
    const { fast } = setup();
    for (let i = 0; i < CARDINALITY_LIMIT + 10; i++) fast.instruments.ipamAllocations.add(1, { subnet_name: `s${i}`, result: 'success' });
    const points = metric<SumMetricData>(await collect(fast.reader), 'ipam_allocations_total')?.dataPoints ?? [];
    assert.equal(points.length, CARDINALITY_LIMIT + 1);
    assert.deepEqual(points.at(-1), { ...points.at(-1), attributes: { 'otel.metric.overflow': true }, value: 10 });
  });

  test('reach a push exporter through a periodic reader', async () => {
    const accumulators = createAccumulators({ scope: { name: 'kube-ovn-controller' } });
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    let reader: PeriodicExportingMetricReader | undefined;
    const producer = accumulators.producer((type) => reader?.selectAggregationTemporality(type) ?? AggregationTemporality.CUMULATIVE);
    reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000, metricProducers: [producer] });
    const provider = new MeterProvider({ resource, readers: [reader] });
    createInstruments(accumulators.wrap(provider.getMeter('kube-ovn-controller'))).reconcileErrors.add(1, { controller: 'pod' });
    await reader.forceFlush();
    const names = exporter.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)));
    assert.ok(names.includes('controller_runtime_reconcile_errors_total'), names.join(', '));
    await provider.shutdown();
  });
});
