// The controller's metrics as a real Prometheus (Debian `prometheus`) scrapes and answers them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, probe } from '../support/kubelet.js';
import { freePort } from '../support/ports.js';
import { spawnController } from '../support/controller-process.js';
import type { ControllerProcess } from '../support/controller-process.js';
import { startKube } from '../support/kube-env.js';
import type { KubeEnv } from '../support/kube-env.js';
import { ANN, apiClient, inParallel, namespaceObject, PATHS, podObject, subnetObject } from '../support/objects.js';
import { prometheusUnavailable, startPrometheus } from '../support/prometheus.js';
import type { Prometheus } from '../support/prometheus.js';

const unavailable = prometheusUnavailable();
if (unavailable !== undefined) console.warn(`\n*** ${unavailable} ***\n`);

describe('a real Prometheus scraping the built controller', { skip: unavailable }, () => {
  let kube: KubeEnv;
  let ctl: ControllerProcess;
  let prom: Prometheus;
  let metricsPort: number;
  before(async () => {
    kube = await startKube();
    const [healthPort, port] = [await freePort(), await freePort()];
    metricsPort = port;
    ctl = spawnController({
      env: {
        ...kube.env('prom-ctl'),
        HEALTH_PORT: String(healthPort),
        HEALTH_BIND_ADDRESS: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      },
    });
    await eventually(async () => (await probe(healthPort, '/readyz')).status === 200, 20_000, 'controller ready');
    prom = await startPrometheus([`127.0.0.1:${metricsPort}`], 1000);
  });
  after(async () => {
    ctl.kill('SIGTERM');
    await ctl.exited(10_000).catch(() => ctl.kill('SIGKILL'));
    await prom?.close();
    await kube.close();
  });

  test('answers PromQL for reconcile, workqueue, rest client, leader and subnet series; subnet_used_ip_count equals the API count', async () => {
    const api = apiClient(kube.api.url);
    await api.create(PATHS.namespaces, namespaceObject('scraped'));
    await api.create(PATHS.subnets, subnetObject('scraped-net', { cidrBlock: '10.77.0.0/24', namespaces: ['scraped'] }));
    const pods = Array.from({ length: 30 }, (_, i) => podObject('scraped', `p-${i}`));
    await inParallel(pods, 10, async (p) => void (await api.create(PATHS.pods('scraped'), p)));
    await eventually(async () => (await api.list(PATHS.pods('scraped'))).every((p) => p.metadata.annotations?.[ANN.allocated] === 'true'), 20_000, 'pods allocated');

    await eventually(async () => (await prom.query('up{job="kube-ovn-controller"}'))[0]?.value === 1, 20_000, 'target up');
    const expectSeries = async (promql: string): Promise<void> =>
      eventually(async () => (await prom.query(promql)).length > 0, 15_000, `PromQL ${promql}`);
    await expectSeries('controller_runtime_reconcile_total{result="success"}');
    await expectSeries('workqueue_depth');
    await expectSeries('workqueue_adds_total');
    await expectSeries('rest_client_requests_total{method="PATCH"}');
    await expectSeries('controller_runtime_reconcile_time_seconds_bucket');
    await expectSeries('leader_election_master_status{name="kube-ovn-controller"} == 1');

    const allocated = (await api.list(PATHS.pods('scraped'))).length;
    await eventually(async () => {
      const used = await prom.query('subnet_used_ip_count{subnet_name="scraped-net",protocol="IPv4",subnet_cidr="10.77.0.0/24"}');
      return used[0]?.value === allocated;
    }, 15_000, `subnet_used_ip_count = ${allocated}`);
    const available = await prom.query('subnet_available_ip_count{subnet_name="scraped-net"}');
    assert.equal(available[0]?.value, 253 - allocated, 'a /24 has 253 usable addresses besides the gateway');
    assert.deepEqual(await prom.query('count by (__name__) ({__name__=~".+", otel_scope_name!=""})'), [], 'no otel_scope_* labels');
  });

  test('a deleted subnet disappears from the next scrape', async () => {
    const api = apiClient(kube.api.url);
    await api.create(PATHS.subnets, subnetObject('short-lived', { cidrBlock: '10.78.0.0/24' }));
    const scrape = async (): Promise<string> => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    await eventually(async () => (await scrape()).includes('subnet_name="short-lived"'), 15_000, 'short-lived series present');
    await api.delete(`${PATHS.subnets}/short-lived`);
    await eventually(async () => !(await scrape()).includes('subnet_name="short-lived"'), 15_000, 'short-lived series gone');
  });
});
