// Issue 4's proof with the BUILT controller process on the local API server: a 1,000-pod burst
// across three subnets, the controller killed with SIGKILL mid-burst and replaced, then every pod
// deleted. No address may ever be held by two live pods, and nothing may leak.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cidrContains, parseCidr, parseIp } from '../../src/ipam/index.js';
import { eventually } from '../support/kubelet.js';
import { BURST_LEASE_ARGS } from '../support/controller-process.js';
import type { ControllerProcess } from '../support/controller-process.js';
import { startReplica } from '../support/replica.js';
import type { Replica } from '../support/replica.js';
import { startKube } from '../support/kube-env.js';
import type { KubeEnv } from '../support/kube-env.js';
import { ANN, apiClient, assertUniqueAddresses, inParallel, namespaceObject, PATHS, podObject, subnetObject } from '../support/objects.js';
import type { ApiClient, Obj } from '../support/objects.js';

const SUBNETS = [
  { name: 'burst-a', namespace: 'burst-a', cidrBlock: '10.100.0.0/22' },
  { name: 'burst-b', namespace: 'burst-b', cidrBlock: '10.101.0.0/22,fd00:101::/118' },
  // burst-c is bound to no subnet: its pods land in the default subnet.
  { name: 'ovn-default', namespace: 'burst-c', cidrBlock: '10.16.0.0/16' },
] as const;

const startController = (kube: KubeEnv, name: string): Promise<Replica> =>
  startReplica(kube, name, { args: [...BURST_LEASE_ARGS, '--worker-num=4'], env: { OTEL_METRICS_EXPORTER: 'none' }, readyTimeoutMs: 20_000 });

function inCidr(cidrBlock: string, ip: string): boolean {
  const parsed = parseIp(ip);
  if (parsed === undefined) return false;
  return cidrBlock.split(',').some((c) => {
    const cidr = parseCidr(c);
    return cidr !== undefined && cidrContains(cidr, parsed.family, parsed.value);
  });
}

async function allocatedPods(api: ApiClient): Promise<Obj[]> {
  return (await api.list(PATHS.pods())).filter((p) => p.metadata.namespace?.startsWith('burst-'));
}

describe('built controller under a 1,000-pod burst with a SIGKILL mid-burst', () => {
  let kube: KubeEnv;
  let api: ApiClient;
  before(async () => {
    kube = await startKube();
    api = apiClient(kube.api.url);
    for (const s of SUBNETS) await api.create(PATHS.namespaces, namespaceObject(s.namespace));
    for (const s of SUBNETS.slice(0, 2)) await api.create(PATHS.subnets, subnetObject(s.name, { cidrBlock: s.cidrBlock, namespaces: [s.namespace] }));
  });
  after(async () => {
    await kube.close();
  });

  test('every pod gets a distinct in-range address, annotations and an IP object; nothing leaks after deletion', async () => {
    let first: ControllerProcess | undefined = (await startController(kube, 'burst-ctl-1')).ctl;
    let second: ControllerProcess | undefined;
    try {
      const pods = Array.from({ length: 1000 }, (_, i) => podObject(SUBNETS[i % 3]!.namespace, `pod-${i}`));
      await inParallel(pods, 32, async (pod, i) => {
        if (i === 400 && first !== undefined) {
          first.kill('SIGKILL'); // mid-burst: allocations in flight are lost with the process
          await first.exited(5000);
          first = undefined;
          second = (await startController(kube, 'burst-ctl-2')).ctl;
        }
        await api.create(PATHS.pods(pod.metadata.namespace), pod);
      });

      await eventually(async () => (await allocatedPods(api)).every((p) => p.metadata.annotations?.[ANN.allocated] === 'true'), 90_000, '1,000 pods allocated');
      const live = await allocatedPods(api);
      assert.equal(live.length, 1000);
      const holders = assertUniqueAddresses(live);
      const dualPods = live.filter((p) => p.metadata.namespace === 'burst-b').length;
      assert.equal(holders.size, 1000 + dualPods, 'one address per pod, two in the dual-stack subnet');

      // IP objects are written by their own controller, after the pod's annotations.
      await eventually(async () => (await api.list(PATHS.ips)).length === 1000, 30_000, 'one IP object per pod');
      const ips = await api.list(PATHS.ips);
      const ipByName = new Map(ips.map((o) => [o.metadata.name, o]));
      for (const pod of live) {
        const a = pod.metadata.annotations ?? {};
        const subnet = SUBNETS.find((s) => s.namespace === pod.metadata.namespace)!;
        assert.equal(a[ANN.ls], subnet.name, `${pod.metadata.name} subnet`);
        assert.equal(a[ANN.cidr], subnet.cidrBlock);
        for (const ip of a[ANN.ip]!.split(',')) assert.ok(inCidr(subnet.cidrBlock, ip), `${ip} in ${subnet.cidrBlock}`);
        assert.match(a[ANN.mac] ?? '', /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
        const ipObj = ipByName.get(`${pod.metadata.name}.${pod.metadata.namespace}`);
        assert.ok(ipObj, `IP object of ${pod.metadata.name}`);
        assert.equal(ipObj.metadata.labels?.['ovn.kubernetes.io/subnet'], subnet.name);
        assert.deepEqual(ipObj.metadata.finalizers, ['kubeovn.io/kube-ovn-controller']);
        assert.equal(ipObj.spec?.['ipAddress'], a[ANN.ip]);
        assert.equal(ipObj.spec?.['macAddress'], a[ANN.mac]);
      }

      // Subnet status equals a count made from the pods.
      await eventually(async () => {
        for (const s of SUBNETS) {
          const status = (await api.get(`${PATHS.subnets}/${s.name}`)).status ?? {};
          const count = live.filter((p) => p.metadata.namespace === s.namespace).length;
          if (status['v4usingIPs'] !== count) return false;
        }
        return true;
      }, 15_000, 'subnet status v4usingIPs = pod count');

      await inParallel(live, 32, async (pod) => {
        await api.delete(`${PATHS.pods(pod.metadata.namespace)}/${pod.metadata.name}`);
      });
      await eventually(async () => (await api.list(PATHS.ips)).length === 0, 30_000, 'every IP object released');
      await eventually(async () => {
        for (const s of SUBNETS) if ((await api.get(`${PATHS.subnets}/${s.name}`)).status?.['v4usingIPs'] !== 0) return false;
        return true;
      }, 15_000, 'subnets report 0 used');

      second?.kill('SIGTERM');
      assert.equal(await second?.exited(10_000), 0);
    } finally {
      first?.kill('SIGKILL');
      if (second !== undefined && second.proc.exitCode === null) second.kill('SIGKILL');
    }
  });
});
