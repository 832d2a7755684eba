// The OTLP receiver double is only useful if real exporters agree with it: these tests drive it
// with the SDK's own protobuf and JSON exporters and with raw HTTP.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import type { OtlpReceiver, ReceivedMetric } from '../support/otlp-receiver.js';

type AnyExporter = JsonExporter | ProtoExporter;
type Compression = NonNullable<ConstructorParameters<typeof ProtoExporter>[0]>['compression'];

/** Records a fixed set of values and pushes them once through `exporter`. */
async function pushOnce(exporter: AnyExporter): Promise<void> {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'double-test', 'k8s.pod.name': 'p' }), readers: [reader] });
  const meter = provider.getMeter('double');
  meter.createCounter('jobs_total').add(3, { queue: 'a' });
  meter.createUpDownCounter('depth').add(-2, { queue: 'a' });
  meter.createGauge('temperature', { unit: 'Cel' }).record(21.5, { room: 'x' });
  meter.createHistogram('latency_seconds', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 1] } }).record(0.5, { route: '/' });
  await provider.shutdown();
}

/** The parts that must not depend on the encoding (timestamps differ between runs). */
function comparable(metrics: ReceivedMetric[]): unknown {
  return metrics.map(({ name, unit, description, type, monotonic, temporality, scope, resourceAttributes, points }) => ({
    name, unit, description, type, monotonic, temporality, scope, resourceAttributes, points,
  }));
}

async function setup(t: { after: (fn: () => Promise<void>) => void }): Promise<OtlpReceiver> {
  const receiver = await startOtlpReceiver();
  t.after(() => receiver.close());
  return receiver;
}

const post = (url: string, contentType: string, body: Uint8Array | string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(2000) });

describe('otlp receiver double', () => {
  test('decodes protobuf, JSON and gzip requests from the real exporters to the same metrics', async (t) => {
    const receiver = await setup(t);
    await pushOnce(new ProtoExporter({ url: receiver.url }));
    await pushOnce(new JsonExporter({ url: receiver.url }));
    await pushOnce(new ProtoExporter({ url: receiver.url, compression: 'gzip' as Compression }));

    const [proto, json, gzip] = receiver.requests;
    assert.deepEqual([proto?.contentType, json?.contentType, gzip?.contentType], ['application/x-protobuf', 'application/json', 'application/x-protobuf']);
    assert.equal(gzip?.contentEncoding, 'gzip');
    assert.deepEqual(comparable(json?.metrics ?? []), comparable(proto?.metrics ?? []));
    assert.deepEqual(comparable(gzip?.metrics ?? []), comparable(proto?.metrics ?? []));

    const byName = new Map((proto?.metrics ?? []).map((m) => [m.name, m]));
    assert.deepEqual(byName.get('jobs_total')?.points, [{ attributes: { queue: 'a' }, value: 3 }]);
    assert.equal(byName.get('jobs_total')?.monotonic, true);
    assert.equal(byName.get('depth')?.points[0]?.value, -2);
    assert.equal(byName.get('temperature')?.type, 'gauge');
    assert.equal(byName.get('temperature')?.points[0]?.value, 21.5);
    assert.deepEqual(byName.get('latency_seconds')?.points[0], { attributes: { route: '/' }, value: 0.5, count: 1, bucketCounts: [0, 1, 0], explicitBounds: [0.1, 1] });
    assert.equal(receiver.resourceAttributes()[0]?.['k8s.pod.name'], 'p');
  });

  test('answers success with an empty response in the request encoding', async (t) => {
    const receiver = await setup(t);
    const json = await post(receiver.url, 'application/json', '{"resourceMetrics":[]}');
    assert.deepEqual([json.status, json.headers.get('content-type'), await json.text()], [200, 'application/json', '{}']);
    const proto = await post(receiver.url, 'application/x-protobuf', new Uint8Array());
    assert.deepEqual([proto.status, proto.headers.get('content-type'), (await proto.arrayBuffer()).byteLength], [200, 'application/x-protobuf', 0]);
  });

  for (const { name, path, method, contentType, status } of [
    { name: 'another path', path: '/v1/traces', method: 'POST', contentType: 'application/json', status: 404 },
    { name: 'GET', path: '/v1/metrics', method: 'GET', contentType: 'application/json', status: 405 },
    { name: 'an unknown content type', path: '/v1/metrics', method: 'POST', contentType: 'text/plain', status: 415 },
    { name: 'an undecodable body', path: '/v1/metrics', method: 'POST', contentType: 'application/json', status: 400 },
  ]) {
    test(`answers ${status} to ${name}`, async (t) => {
      const receiver = await setup(t);
      const body = method === 'GET' ? undefined : 'not json';
      const res = await fetch(`http://127.0.0.1:${receiver.port}${path}`, { method, headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(2000) });
      assert.equal(res.status, status);
    });
  }

  test('answers the configured status with Retry-After', async (t) => {
    const receiver = await setup(t);
    await receiver.setMode({ kind: 'status', code: 429, retryAfterSeconds: 7 });
    const res = await post(receiver.url, 'application/json', '{}');
    assert.deepEqual([res.status, res.headers.get('retry-after')], [429, '7']);
    assert.equal(receiver.requests[0]?.answer, 429);
  });

  test('hangs without answering, and records the request', async (t) => {
    const receiver = await setup(t);
    await receiver.setMode({ kind: 'hang' });
    await assert.rejects(fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(200) }));
    assert.equal(receiver.requests[0]?.answer, 'hang');
  });

  test('refuses connections, then listens again on the same port', async (t) => {
    const receiver = await setup(t);
    await receiver.setMode({ kind: 'refuse' });
    await assert.rejects(post(receiver.url, 'application/json', '{}'), (err: Error) => (err.cause as { code?: string }).code === 'ECONNREFUSED');
    await receiver.setMode({ kind: 'ok' });
    assert.equal((await post(receiver.url, 'application/json', '{}')).status, 200);
  });
});
