// Issue 2, point 7: under a collector that never answers and repeated 200-scrape storms, the
// BUILT process's RSS levels off and health keeps answering.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { eventually, probe } from '../support/kubelet.js';
import { freePort } from '../support/ports.js';
import { spawnController } from '../support/controller-process.js';
import type { ControllerProcess } from '../support/controller-process.js';
import { startKube } from '../support/kube-env.js';
import type { KubeEnv } from '../support/kube-env.js';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import type { OtlpReceiver } from '../support/otlp-receiver.js';

/**
 * RSS growth allowed over the warmed-up sample. V8 grows its heap's committed size in steps under
 * bursts of 200 scrapes and keeps it (measured: +43-55 MiB after 30 storms, levelling off at +63
 * MiB after 50 of 120, while the heap left after each collection stayed at 16-22 MiB), so the
 * bound is that plateau with a margin. A leak of 16 KB per scrape (3.2 MiB a storm) exceeds it.
 */
const RSS_GROWTH_BOUND_KIB = 96 * 1024;
const STORMS = 30;

// One pool of at most 200 sockets, kept alive across storms. fetch's default pool opens a new
// connection whenever none is idle, so a storm meeting sockets the server has not yet reaped
// could go past the listener's maxConnections (256) and see resets that a scraper never would.
const agent = new Agent({ keepAlive: true, maxSockets: 200 });

function scrape(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', agent, timeout: 5000 }, (res) => {
      res.setEncoding('utf8');
      let body = '';
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('scrape timed out after 5000 ms')));
    req.on('error', reject);
    req.end();
  });
}

/** Runs `scrapes` concurrent scrapes; returns how many answered 200 and what the others got. */
async function storm(port: number, scrapes: number): Promise<{ ok: number; failures: string[] }> {
  const results = await Promise.allSettled(Array.from({ length: scrapes }, () => scrape(port)));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as NodeJS.ErrnoException).code ?? r.reason)] : r.value.status === 200 ? [] : [`HTTP ${r.value.status}`]));
  return { ok: scrapes - failures.length, failures: failures.slice(0, 5) };
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
    agent.destroy();
  });

  test(`memory levels off over ${STORMS} scrape storms of 200 while every push hangs; probes keep passing`, async (t) => {
    for (let i = 0; i < 3; i++) assert.deepEqual(await storm(metricsPort, 200), { ok: 200, failures: [] });
    const warm = ctl.rssKiB();
    const rss: number[] = [];
    for (let i = 0; i < STORMS; i++) {
      assert.deepEqual(await storm(metricsPort, 200), { ok: 200, failures: [] }, `storm ${i}`);
      assert.equal((await probe(healthPort, '/livez')).body, 'ok');
      assert.equal((await probe(healthPort, '/readyz')).body, 'ok');
      rss.push(ctl.rssKiB());
    }
    const growth = Math.max(...rss) - warm;
    t.diagnostic(`RSS warm ${Math.round(warm / 1024)} MiB, max ${Math.round(Math.max(...rss) / 1024)} MiB (+${Math.round(growth / 1024)}); ${receiver.openConnections()} open collector connections`);
    assert.ok(growth < RSS_GROWTH_BOUND_KIB, `RSS grew ${Math.round(growth / 1024)} MiB (warm ${Math.round(warm / 1024)} MiB, samples ${rss.map((s) => Math.round(s / 1024)).join(',')} MiB)`);
    assert.ok(receiver.openConnections() <= 8, `${receiver.openConnections()} connections held open to the hanging collector`);
    assert.deepEqual(ctl.logs.filter((l) => /unhandled|uncaught/i.test(String(l.msg))), []);
  });
});
