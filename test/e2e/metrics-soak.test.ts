// Issue 2, point 7: under a collector that never answers and repeated 200-scrape storms, the
// BUILT process's memory stays bounded and health keeps answering.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, probe } from '../support/kubelet.js';
import { freePort } from '../support/ports.js';
import { spawnController } from '../support/controller-process.js';
import type { ControllerProcess } from '../support/controller-process.js';
import { startKube } from '../support/kube-env.js';
import type { KubeEnv } from '../support/kube-env.js';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import type { OtlpReceiver } from '../support/otlp-receiver.js';

/** RSS growth allowed between the warmed-up sample and the end of the soak. */
const GROWTH_BOUND_KIB = 40 * 1024;

async function storm(port: number, scrapes: number): Promise<number> {
  const results = await Promise.all(
    Array.from({ length: scrapes }, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
      await res.text();
      return res.status;
    }),
  );
  return results.filter((s) => s === 200).length;
}

describe('memory under a hanging collector and scrape storms', () => {
  let kube: KubeEnv;
  let receiver: OtlpReceiver;
  let ctl: ControllerProcess;
  let healthPort: number;
  let metricsPort: number;
  before(async () => {
    kube = await startKube();
    receiver = await startOtlpReceiver({ mode: { kind: 'hang' } });
    [healthPort, metricsPort] = [await freePort(), await freePort()];
    ctl = spawnController({
      env: {
        ...kube.env('soak'),
        HEALTH_PORT: String(healthPort),
        HEALTH_BIND_ADDRESS: '127.0.0.1',
        OTEL_METRICS_EXPORTER: 'prometheus,otlp',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.url,
        OTEL_METRIC_EXPORT_INTERVAL: '100',
        OTEL_METRIC_EXPORT_TIMEOUT: '100',
        OTEL_EXPORTER_OTLP_TIMEOUT: '100',
      },
    });
    await eventually(async () => (await probe(healthPort, '/readyz')).status === 200, 20_000, 'ready');
  });
  after(async () => {
    ctl.kill('SIGTERM');
    await ctl.exited(10_000).catch(() => ctl.kill('SIGKILL'));
    await receiver.close();
    await kube.close();
  });

  test('RSS stays within a bound over 12 scrape storms of 200 while every push hangs; probes keep passing', async (t) => {
    for (let i = 0; i < 3; i++) assert.equal(await storm(metricsPort, 200), 200);
    const warm = ctl.rssKiB();
    const samples: number[] = [];
    for (let i = 0; i < 12; i++) {
      assert.equal(await storm(metricsPort, 200), 200, `storm ${i}`);
      assert.equal((await probe(healthPort, '/livez')).body, 'ok');
      assert.equal((await probe(healthPort, '/readyz')).body, 'ok');
      samples.push(ctl.rssKiB());
    }
    const growth = Math.max(...samples) - warm;
    t.diagnostic(`RSS warm ${Math.round(warm / 1024)} MiB, max ${Math.round(Math.max(...samples) / 1024)} MiB, growth ${Math.round(growth / 1024)} MiB; ${receiver.openConnections()} open collector connections`);
    assert.ok(growth < GROWTH_BOUND_KIB, `RSS grew ${Math.round(growth / 1024)} MiB (warm ${Math.round(warm / 1024)} MiB, samples ${samples.map((s) => Math.round(s / 1024)).join(',')} MiB)`);
    assert.ok(receiver.openConnections() <= 8, `${receiver.openConnections()} connections held open to the hanging collector`);
    assert.deepEqual(ctl.logs.filter((l) => /unhandled|uncaught/i.test(String(l.msg))), []);
  });
});
