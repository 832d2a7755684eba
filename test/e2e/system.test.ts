// Issue 6's system test: the whole product under load and faults. The local API server, two
// replicas of the BUILT controller, a real Prometheus scraping both, the OTLP receiver double
// receiving pushes, and a kubelet-style prober on each replica once a second.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cidrContains, parseCidr, parseIp } from '../../src/ipam/index.js';
import { eventually, probe } from '../support/kubelet.js';
import { startReplica as startBaseReplica } from '../support/replica.js';
import type { Replica as BaseReplica } from '../support/replica.js';
import { startKube } from '../support/kube-env.js';
import type { KubeEnv } from '../support/kube-env.js';
import { ANN, apiClient, assertUniqueAddresses, inParallel, namespaceObject, PATHS, podObject, subnetObject } from '../support/objects.js';
import type { ApiClient, Obj } from '../support/objects.js';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import type { OtlpReceiver } from '../support/otlp-receiver.js';
import { prometheusUnavailable, startPrometheus } from '../support/prometheus.js';
import type { Prometheus } from '../support/prometheus.js';

const unavailable = prometheusUnavailable();
if (unavailable !== undefined) console.warn(`\n*** system test: ${unavailable} ***\n`);

const LEASE_MS = 4000;
const RETRY_MS = 500;
const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-ovn-controller';
const SUBNETS = [
  { name: 'sys-a', namespace: 'sys-a', cidrBlock: '10.110.0.0/20' },
  { name: 'sys-b', namespace: 'sys-b', cidrBlock: '10.111.0.0/20,fd00:111::/116' },
  { name: 'sys-c', namespace: 'sys-c', cidrBlock: '10.112.0.0/20' },
] as const;

interface Replica extends BaseReplica {
  /** Failed kubelet-style probes: path, time and why. */
  readonly missed: string[];
  probes: number;
  stopProber(): void;
}

async function startReplica(kube: KubeEnv, name: string, otlpUrl: string): Promise<Replica> {
  const base = await startBaseReplica(kube, name, {
    args: [`--leader-elect-lease-duration=${LEASE_MS}ms`, '--leader-elect-renew-deadline=3s', `--leader-elect-retry-period=${RETRY_MS}ms`, '--worker-num=4'],
    env: { OTEL_METRICS_EXPORTER: 'prometheus,otlp', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: otlpUrl, OTEL_METRIC_EXPORT_INTERVAL: '2000', OTEL_METRIC_EXPORT_TIMEOUT: '2000' },
    readyTimeoutMs: 20_000,
  });
  const { healthPort } = base;
  const replica: Replica = { ...base, missed: [], probes: 0, stopProber: () => undefined };
  // kubelet: periodSeconds 1, timeoutSeconds 1, a fresh connection per probe.
  const timer = setInterval(() => {
    for (const path of ['/livez', '/readyz']) {
      replica.probes++;
      probe(healthPort, path, { timeoutMs: 1000 }).then(
        (r) => {
          if (r.status !== 200) replica.missed.push(`${new Date().toISOString()} ${path} ${r.status} ${r.body.trim()}`);
        },
        (err: Error) => replica.missed.push(`${new Date().toISOString()} ${path} ${err.message}`),
      );
    }
  }, 1000);
  replica.stopProber = () => clearInterval(timer);
  return replica;
}

function inCidr(cidrBlock: string, ip: string): boolean {
  const parsed = parseIp(ip);
  return (
    parsed !== undefined &&
    cidrBlock.split(',').some((c) => {
      const cidr = parseCidr(c);
      return cidr !== undefined && cidrContains(cidr, parsed.family, parsed.value);
    })
  );
}

async function systemPods(api: ApiClient): Promise<Obj[]> {
  return (await api.list(PATHS.pods())).filter((p) => p.metadata.namespace?.startsWith('sys-'));
}

async function createPods(api: ApiClient, from: number, count: number): Promise<void> {
  const pods = Array.from({ length: count }, (_, i) => podObject(SUBNETS[(from + i) % 3]!.namespace, `pod-${from + i}`));
  await inParallel(pods, 32, async (p) => void (await api.create(PATHS.pods(p.metadata.namespace), p)));
}

/** `a.b.c` (OTLP) and `a_b_c` (Prometheus) name the same series family. */
const normalise = (name: string): string => name.replace(/\./g, '_');

describe('system: two replicas, real Prometheus, OTLP, 2,500 pods, a SIGKILLed leader and API faults', { skip: unavailable }, () => {
  let kube: KubeEnv;
  let receiver: OtlpReceiver;
  let prom: Prometheus;
  const replicas: Replica[] = [];
  before(async () => {
    kube = await startKube();
    receiver = await startOtlpReceiver();
    const api = apiClient(kube.api.url);
    for (const s of SUBNETS) {
      await api.create(PATHS.namespaces, namespaceObject(s.namespace));
      await api.create(PATHS.subnets, subnetObject(s.name, { cidrBlock: s.cidrBlock, namespaces: [s.namespace] }));
    }
    replicas.push(await startReplica(kube, 'sys-1', receiver.url), await startReplica(kube, 'sys-2', receiver.url));
    prom = await startPrometheus(replicas.map((r) => `127.0.0.1:${r.metricsPort}`), 1000);
  });
  after(async () => {
    for (const r of replicas) {
      r.stopProber();
      if (r.ctl.proc.exitCode === null) r.ctl.kill('SIGKILL');
    }
    await prom?.close();
    await receiver?.close();
    await kube?.close();
  });

  test('no duplicate or leaked address, metrics agree with the API, the survivor missed no probe and took over within the lease', async () => {
    const api = apiClient(kube.api.url);
    const holder = async (): Promise<string> => String((await api.get(LEASE_PATH)).spec?.['holderIdentity'] ?? '');
    await eventually(async () => (await holder()).startsWith('sys-'), 15_000, 'a leader');
    const leaderName = await holder();
    const leader = replicas.find((r) => r.name === leaderName)!;
    const survivor = replicas.find((r) => r !== leader)!;

    await createPods(api, 0, 2000);
    kube.api.faults.dropWatches();
    const firstHalf = (await systemPods(api)).filter((_, i) => i % 2 === 0);
    await inParallel(firstHalf, 32, async (p) => void (await api.delete(`${PATHS.pods(p.metadata.namespace)}/${p.metadata.name}`)));
    kube.api.faults.compactHistory();
    kube.api.faults.dropWatches(); // the next watch from an old version gets 410 and relists
    await createPods(api, 2000, 250);

    const killedAt = Date.now();
    leader.stopProber();
    leader.ctl.kill('SIGKILL');
    // Watch for the takeover while the next pods are created, so their creation is not timed too.
    const takeover = eventually(async () => (await holder()) === survivor.name, LEASE_MS + 5000, 'survivor leads', 20).then(() => Date.now() - killedAt);
    takeover.catch(() => undefined); // judged below, after the creates
    kube.api.faults.failNext(20, { status: 500, method: 'PATCH' }); // the controller's writes, not the test's creates
    await createPods(api, 2250, 250);
    const takeoverMs = await takeover;
    // client-go: the lease clock starts when the standby sees the last renew (one jittered poll
    // late at worst) and it acquires at the next jittered poll after expiry.
    assert.ok(takeoverMs <= LEASE_MS + 2 * RETRY_MS * 2.2, `takeover after ${takeoverMs}ms, bound lease ${LEASE_MS}ms + two jittered polls`);

    await eventually(async () => (await systemPods(api)).every((p) => p.metadata.annotations?.[ANN.allocated] === 'true'), 120_000, 'every live pod allocated');
    const live = await systemPods(api);
    assert.equal(live.length, 1500);
    assertUniqueAddresses(live);
    for (const pod of live) {
      const subnet = SUBNETS.find((s) => s.namespace === pod.metadata.namespace)!;
      for (const ip of (pod.metadata.annotations?.[ANN.ip] ?? '').split(',')) assert.ok(inCidr(subnet.cidrBlock, ip), `${pod.metadata.name}: ${ip} in ${subnet.cidrBlock}`);
    }
    await eventually(async () => {
      const ips = await api.list(PATHS.ips);
      const liveNames = new Set(live.map((p) => `${p.metadata.name}.${p.metadata.namespace}`));
      return ips.length === live.length && ips.every((o) => liveNames.has(o.metadata.name));
    }, 60_000, 'one IP object per live pod, none leaked');

    for (const s of SUBNETS) {
      const count = live.filter((p) => p.metadata.namespace === s.namespace).length;
      await eventually(async () => {
        const r = await prom.query(`subnet_used_ip_count{subnet_name="${s.name}",protocol="IPv4",instance="127.0.0.1:${survivor.metricsPort}"}`);
        return r[0]?.value === count;
      }, 20_000, `Prometheus: subnet_used_ip_count{subnet_name="${s.name}"} = ${count}`);
    }
    for (const q of ['controller_runtime_reconcile_total', 'workqueue_depth']) {
      assert.ok((await prom.query(q)).length > 0, `Prometheus has ${q}`);
    }

    // OTLP got the same families Prometheus scraped (Prometheus adds `up`, `scrape_*`, `target_info`).
    await eventually(async () => receiver.metricNames().has('subnet_used_ip_count'), 10_000, 'OTLP push of subnet gauges');
    const scraped = new Set((await prom.query(`group by (__name__) ({instance="127.0.0.1:${survivor.metricsPort}"})`)).map((s) => s.metric['__name__']!));
    const families = [...scraped]
      .filter((n) => !/^(up|scrape_.*|target_info)$/.test(n))
      // A histogram is scraped as _bucket/_sum/_count series of one family.
      .map((n) => {
        const base = n.replace(/_(bucket|sum|count)$/, '');
        return base !== n && scraped.has(`${base}_bucket`) ? base : n;
      });
    const pushed = new Set([...receiver.metricNames()].map(normalise));
    const missing = [...new Set(families)].filter((n) => !pushed.has(n) && !pushed.has(`${n}_total`));
    assert.deepEqual(missing, [], 'every scraped family was pushed over OTLP too');

    // The survivor answered every probe (1 s period, 1 s timeout) through the whole run.
    assert.ok(survivor.probes > 20, `survivor probed ${survivor.probes} times`);
    assert.deepEqual(survivor.missed, []);
  });
});
