import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTelemetry } from '../../src/telemetry/index.js';
import type { Telemetry } from '../../src/telemetry/index.js';
import { freePort, occupyPort } from '../support/ports.js';
import { parseExposition } from './exposition.js';
import { CATALOGUE_FAMILIES, captureLogger, metricsConfig, POD, prometheusExporter, recordEverything, scrape, withRejectionTripwire } from './fixtures.js';
import type { LogLine } from './fixtures.js';

/** Families that are not the controller's catalogue: runtime metrics and the resource. */
const NOT_CATALOGUE = /^(nodejs_|v8js_|process_|target_info$)/;

async function setup(): Promise<{ telemetry: Telemetry; port: number; lines: LogLine[] }> {
  const port = await freePort();
  const { logger, lines } = captureLogger();
  const telemetry = createTelemetry({ metrics: metricsConfig([prometheusExporter(port)]), pod: POD, version: '1.2.3', logger });
  await telemetry.start();
  return { telemetry, port, lines };
}

function tcpServers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
}

describe('prometheus exporter', () => {
  test('serves exactly the catalogue families with their label sets and no otel_scope labels', async (t) => {
    const { telemetry, port } = await setup();
    t.after(() => telemetry.shutdown(1000));
    recordEverything(telemetry);

    const { status, body } = await scrape(port);
    assert.equal(status, 200);
    const families = parseExposition(body);
    const catalogue = [...families.keys()].filter((name) => !NOT_CATALOGUE.test(name)).sort();
    assert.deepEqual(catalogue, Object.keys(CATALOGUE_FAMILIES).sort());
    for (const [name, expected] of Object.entries(CATALOGUE_FAMILIES)) {
      const family = families.get(name);
      assert.equal(family?.type, expected.type, `${name} type`);
      assert.deepEqual([...(family?.labelKeys ?? [])].sort(), expected.labels, `${name} labels`);
    }
    assert.doesNotMatch(body, /otel_scope_/);
    assert.doesNotMatch(body, /_total_total|_seconds_seconds/);
  });

  test('serves the Node.js runtime metrics named per the semantic conventions', async (t) => {
    const { telemetry, port } = await setup();
    t.after(() => telemetry.shutdown(1000));
    // The event-loop delay histogram needs one sampling period (20 ms) before it has data.
    await new Promise((resolve) => setTimeout(resolve, 60));

    const families = parseExposition((await scrape(port)).body);
    for (const stat of ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99']) assert.ok(families.has(`nodejs_eventloop_delay_${stat}`), stat);
    assert.ok(families.has('nodejs_eventloop_utilization'));
    const heap = families.get('v8js_memory_heap_used');
    assert.deepEqual([...(heap?.labelKeys ?? [])], ['v8js_heap_space_name']);
    assert.ok(heap?.samples.some((s) => s.labels.v8js_heap_space_name === 'new_space' && s.value > 0));
    assert.ok(families.has('v8js_memory_heap_limit'));
    assert.ok((families.get('process_memory_usage')?.samples[0]?.value ?? 0) > 0);
  });

  test('drops a state gauge series from the next scrape once its source stops reporting it', async (t) => {
    const { telemetry, port } = await setup();
    t.after(() => telemetry.shutdown(1000));
    const subnets = new Map([['a', 10], ['b', 20]]);
    telemetry.addStateGauge('subnetUsedIps', () => [...subnets].map(([name, value]) => ({ attributes: { subnet_name: name, protocol: 'IPv4', subnet_cidr: '10.0.0.0/24' }, value })));
    const remove = telemetry.addStateGauge('subnetAvailableIps', () => [{ attributes: { subnet_name: 'a', protocol: 'IPv4', subnet_cidr: '10.0.0.0/24' }, value: 5 }]);

    const before = parseExposition((await scrape(port)).body);
    assert.deepEqual(before.get('subnet_used_ip_count')?.samples.map((s) => s.labels.subnet_name).sort(), ['a', 'b']);
    assert.equal(before.get('subnet_available_ip_count')?.samples[0]?.value, 5);

    subnets.delete('b');
    remove();
    const after = parseExposition((await scrape(port)).body);
    assert.deepEqual(after.get('subnet_used_ip_count')?.samples.map((s) => s.labels.subnet_name), ['a']);
    assert.equal(after.has('subnet_available_ip_count'), false);
  });

  test('logs a metrics port already in use once as an error and start() still resolves', async (t) => {
    const port = await freePort();
    const release = await occupyPort(port);
    t.after(release);
    const { logger, lines } = captureLogger();
    const telemetry = createTelemetry({ metrics: metricsConfig([prometheusExporter(port)]), pod: POD, version: '1', logger });

    const { unhandled } = await withRejectionTripwire(async () => {
      await telemetry.start();
      recordEverything(telemetry);
      await telemetry.shutdown(1000);
    });
    assert.deepEqual(unhandled, []);
    const errors = lines.filter((l) => l.level === 'error');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0]?.msg ?? '', /could not listen/);
    assert.equal(errors[0]?.port, port);
  });

  test('answers 200 concurrent scrapes', async (t) => {
    const { telemetry, port } = await setup();
    t.after(() => telemetry.shutdown(1000));
    recordEverything(telemetry);

    const results = await Promise.all(Array.from({ length: 200 }, () => scrape(port)));
    assert.equal(results.filter((r) => r.status === 200 && r.body.includes('controller_runtime_reconcile_total{')).length, 200);
  });

  test('start and shutdown are idempotent, and shutdown closes the metrics port', async () => {
    const { telemetry, port, lines } = await setup();
    await telemetry.start();
    assert.equal(lines.filter((l) => l.msg === 'prometheus metrics endpoint listening').length, 1);
    const first = telemetry.shutdown(1000);
    assert.equal(telemetry.shutdown(1000), first);
    await first;
    await assert.rejects(scrape(port));
  });
});

describe('exporter none', () => {
  test('registers no reader: recording is a no-op, no port is opened, nothing is logged', async () => {
    const { logger, lines } = captureLogger();
    const servers = tcpServers();
    const telemetry = createTelemetry({ metrics: metricsConfig([]), pod: POD, version: '1', logger });
    await telemetry.start();
    recordEverything(telemetry);

    assert.equal(tcpServers(), servers);
    assert.deepEqual(lines, []);
    await telemetry.shutdown(1000);
  });
});
