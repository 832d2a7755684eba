import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import type { GaugeMetricData } from '@opentelemetry/sdk-metrics';
import { createStateGauges, STATE_GAUGES } from '../../src/telemetry/index.js';
import type { StateGaugeKey } from '../../src/telemetry/index.js';

function setup() {
  let clock = 1_700_000_000_000;
  const sourceErrors: Array<{ key: StateGaugeKey; error: unknown }> = [];
  const gauges = createStateGauges({
    resource: resourceFromAttributes({ 'service.name': 'test' }),
    now: () => clock,
    onSourceError: (key, error) => sourceErrors.push({ key, error }),
  });
  const collect = async () => {
    const { resourceMetrics } = await gauges.producer.collect();
    return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics) as GaugeMetricData[];
  };
  return { gauges, collect, sourceErrors, advance: (ms: number) => (clock += ms) };
}

const point = (subnet: string, value: number) => ({ attributes: { subnet_name: subnet, protocol: 'IPv4', subnet_cidr: '10.0.0.0/24' }, value });

describe('state gauges', () => {
  test('report the current points of every source as a gauge with the catalogue name, unit and description', async () => {
    const { gauges, collect } = setup();
    gauges.add('subnetUsedIps', () => [point('a', 1)]);
    gauges.add('subnetUsedIps', () => [point('b', 2)]);

    const [metric] = await collect();
    assert.equal(metric?.dataPointType, DataPointType.GAUGE);
    assert.equal(metric?.descriptor.name, STATE_GAUGES.subnetUsedIps.name);
    assert.equal(metric?.descriptor.unit, STATE_GAUGES.subnetUsedIps.unit);
    assert.equal(metric?.descriptor.description, STATE_GAUGES.subnetUsedIps.description);
    assert.deepEqual(metric?.dataPoints.map((p) => [p.attributes.subnet_name, p.value]), [['a', 1], ['b', 2]]);
  });

  test('forget a series as soon as its source stops returning it', async () => {
    const { gauges, collect } = setup();
    const live = new Map([['a', 1], ['b', 2]]);
    gauges.add('subnetAvailableIps', () => [...live].map(([name, value]) => point(name, value)));
    assert.equal((await collect())[0]?.dataPoints.length, 2);

    live.delete('b');
    assert.deepEqual((await collect())[0]?.dataPoints.map((p) => p.attributes.subnet_name), ['a']);
  });

  test('report nothing for a gauge once its last source is removed', async () => {
    const { gauges, collect } = setup();
    const remove = gauges.add('workqueueLongestRunning', () => [{ attributes: { name: 'q' }, value: 3 }]);
    assert.equal((await collect()).length, 1);
    remove();
    assert.deepEqual(await collect(), []);
  });

  test('remove only the registration the remover belongs to, even for the same function', async () => {
    const { gauges, collect } = setup();
    const source = () => [{ attributes: { name: 'q' }, value: 1 }];
    const removeFirst = gauges.add('workqueueUnfinishedWork', source);
    gauges.add('workqueueUnfinishedWork', source);
    removeFirst();
    assert.equal((await collect())[0]?.dataPoints.length, 1);
  });

  test('stamp points with the collection time and keep other sources when one throws', async () => {
    const { gauges, collect, sourceErrors, advance } = setup();
    gauges.add('subnetUsedIps', () => {
      throw new Error('boom');
    });
    gauges.add('subnetUsedIps', () => [point('a', 1)]);
    advance(5_000);

    const [metric] = await collect();
    assert.deepEqual(metric?.dataPoints[0]?.endTime, [1_700_000_005, 0]);
    assert.deepEqual(metric?.dataPoints[0]?.startTime, [1_700_000_000, 0]);
    assert.equal(metric?.dataPoints.length, 1);
    assert.deepEqual(sourceErrors.map((e) => [e.key, (e.error as Error).message]), [['subnetUsedIps', 'boom']]);
  });
});
