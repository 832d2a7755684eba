import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExporterConfig } from '../../src/config/types.js';
import { createTelemetry } from '../../src/telemetry/index.js';
import type { Telemetry } from '../../src/telemetry/index.js';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import type { OtlpReceiver, ReceiverMode } from '../support/otlp-receiver.js';
import { captureLogger, metricsConfig, NO_POD, otlpExporter, POD, recordEverything, withRejectionTripwire } from './fixtures.js';
import type { LogLine } from './fixtures.js';

interface Setup {
  receiver: OtlpReceiver;
  telemetry: Telemetry;
  lines: LogLine[];
}

async function setup(
  exporter: Partial<Extract<ExporterConfig, { kind: 'otlp' }>> = {},
  options: { mode?: ReceiverMode; logIntervalMs?: number; resourceAttributes?: Record<string, string> } = {},
): Promise<Setup> {
  const receiver = await startOtlpReceiver({ mode: options.mode ?? { kind: 'ok' } });
  const { logger, lines } = captureLogger();
  const telemetry = createTelemetry({
    metrics: metricsConfig([otlpExporter(receiver.url, exporter)], { resourceAttributes: options.resourceAttributes ?? {} }),
    pod: POD,
    version: '1.2.3',
    logger,
    logIntervalMs: options.logIntervalMs ?? 30_000,
  });
  await telemetry.start();
  return { receiver, telemetry, lines };
}

const hasMetric = (receiver: OtlpReceiver, name: string) => () => receiver.metricNames().has(name);

describe('otlp exporter', () => {
  for (const [protocol, contentType] of [['http/protobuf', 'application/x-protobuf'], ['http/json', 'application/json']] as const) {
    test(`pushes ${protocol} with the pod's resource attributes and the configured headers`, async (t) => {
      const { receiver, telemetry } = await setup({ protocol, intervalMs: 100, headers: { 'x-tenant': 'blue' } }, { resourceAttributes: { 'deployment.environment': 'test', 'k8s.node.name': 'override' } });
      t.after(async () => {
        await telemetry.shutdown(1000);
        await receiver.close();
      });
      recordEverything(telemetry);
      await receiver.waitFor(hasMetric(receiver, 'controller_runtime_reconcile_total'), 5000);

      const request = receiver.requests.find((r) => r.metrics.some((m) => m.name === 'controller_runtime_reconcile_total'));
      assert.equal(request?.contentType, contentType);
      assert.equal(request?.headers['x-tenant'], 'blue');
      assert.deepEqual(request?.resources[0], {
        'service.name': 'kube-ovn-controller',
        'service.version': '1.2.3',
        'service.instance.id': 'kube-system.kube-ovn-controller-7d9f.kube-ovn-controller',
        'k8s.pod.name': 'kube-ovn-controller-7d9f',
        'k8s.namespace.name': 'kube-system',
        'k8s.node.name': 'override',
        'k8s.container.name': 'kube-ovn-controller',
        'deployment.environment': 'test',
      });
      const reconcile = request?.metrics.find((m) => m.name === 'controller_runtime_reconcile_total');
      assert.deepEqual(reconcile?.points, [{ attributes: { controller: 'subnet', result: 'success' }, value: 1 }]);
      assert.equal(reconcile?.monotonic, true);
      assert.equal(request?.metrics.find((m) => m.name === 'controller_runtime_reconcile_time_seconds')?.unit, 's');
      assert.ok(receiver.metricNames().has('v8js.memory.heap.used'));
    });
  }

  test('final flush on shutdown delivers what was recorded since the last export', async (t) => {
    const { receiver, telemetry } = await setup({ intervalMs: 60_000 });
    t.after(() => receiver.close());
    recordEverything(telemetry);
    assert.equal(receiver.requests.length, 0);

    await telemetry.shutdown(2000);
    assert.equal(receiver.requests.length, 1);
    assert.ok(receiver.metricNames().has('ipam_allocations_total'));
    assert.ok(receiver.metricNames().has('subnet_used_ip_count'));
    assert.ok(receiver.metricNames().has('v8js.memory.heap.used'), 'runtime metrics are still in the final flush');
  });

  test('drops a state gauge series from the next export once its source stops reporting it', async (t) => {
    const { receiver, telemetry } = await setup({ intervalMs: 100 });
    t.after(async () => {
      await telemetry.shutdown(1000);
      await receiver.close();
    });
    const subnets = new Set(['a', 'b']);
    telemetry.addStateGauge('subnetUsedIps', () => [...subnets].map((name) => ({ attributes: { subnet_name: name, protocol: 'IPv4', subnet_cidr: '10.0.0.0/24' }, value: 1 })));
    const usedSubnets = (index: number) =>
      receiver.requests[index]?.metrics.find((m) => m.name === 'subnet_used_ip_count')?.points.map((p) => p.attributes.subnet_name).sort() ?? [];

    await receiver.waitFor(() => receiver.requests.length > 0, 5000);
    assert.deepEqual(usedSubnets(receiver.requests.length - 1), ['a', 'b']);
    subnets.delete('b');
    const seen = receiver.requests.length;
    await receiver.waitFor(() => receiver.requests.length > seen + 1, 5000);
    assert.deepEqual(usedSubnets(receiver.requests.length - 1), ['a']);
  });

  test('uses a random service.instance.id when the pod identity is unknown', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.close());
    const { logger } = captureLogger();
    const telemetry = createTelemetry({ metrics: metricsConfig([otlpExporter(receiver.url)]), pod: NO_POD, version: '1', logger });
    await telemetry.start();
    await telemetry.shutdown(2000);

    const resource = receiver.resourceAttributes()[0] ?? {};
    assert.match(String(resource['service.instance.id']), /^[0-9a-f-]{36}$/);
    assert.equal('k8s.pod.name' in resource, false);
  });
});
