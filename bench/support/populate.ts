// N realistic pods (~8.7 KB, ./realistic-pod.ts) already allocated in ovn-default: annotations and
// `IP` objects written as the controller writes them, so a controller started over them only
// rebuilds. Used by the A/B benches that start controllers over an existing cluster.
import { namespaceObject, PATHS } from '../../test/support/objects.js';
import { httpJson } from './kube-http.js';
import { startController } from './procs.js';
import type { ApiServerProcess } from './procs.js';
import { realisticPod } from './realistic-pod.js';

/** One /16 holds them: pod i gets 10.16.x.y from .0.2 on (.0.1 is the gateway). */
export const MAX_POPULATED_PODS = 64_999;

/** The allocation of pod i in ovn-default (10.16.0.0/16). */
function allocation(i: number): { ip: string; mac: string } {
  const n = i + 2;
  const ip = `10.16.${(n >> 8) & 255}.${n & 255}`;
  const mac = `00:00:00:${((n >> 16) & 255).toString(16).padStart(2, '0')}:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;
  return { ip, mac };
}

/** POSTs `count` allocated pods named `b-<i>` and their IP objects into `namespace`, 64 at a time. */
export async function populateAllocated(url: string, namespace: string, count: number): Promise<void> {
  if (!(count > 0 && count <= MAX_POPULATED_PODS)) throw new Error(`pods: expected 1..${MAX_POPULATED_PODS} (one /16), got ${count}`);
  const client = httpJson(url, 64);
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        const i = next++;
        const name = `b-${i}`;
        const { ip, mac } = allocation(i);
        const annotations = {
          'ovn.kubernetes.io/ip_address': ip,
          'ovn.kubernetes.io/mac_address': mac,
          'ovn.kubernetes.io/cidr': '10.16.0.0/16',
          'ovn.kubernetes.io/gateway': '10.16.0.1',
          'ovn.kubernetes.io/logical_switch': 'ovn-default',
          'ovn.kubernetes.io/allocated': 'true',
        };
        const pod = realisticPod(namespace, name, i, annotations);
        const r = await client.call('POST', PATHS.pods(namespace), pod);
        if (r.status !== 201) throw new Error(`pod ${i}: HTTP ${r.status}`);
        const nodeName = (pod['spec'] as { nodeName: string }).nodeName;
        const ipObj = {
          apiVersion: 'kubeovn.io/v1',
          kind: 'IP',
          metadata: { name: `${name}.${namespace}`, labels: { 'ovn.kubernetes.io/subnet': 'ovn-default', 'ovn.kubernetes.io/node-name': nodeName }, finalizers: ['kubeovn.io/kube-ovn-controller'] },
          spec: { podName: name, namespace, subnet: 'ovn-default', nodeName, ipAddress: ip, v4IpAddress: ip, v6IpAddress: '', macAddress: mac, podType: '', attachSubnets: [], attachIps: [], attachMacs: [] },
        };
        const s = await client.call('POST', PATHS.ips, ipObj);
        if (s.status !== 201) throw new Error(`ip ${i}: HTTP ${s.status}`);
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
  } finally {
    client.close();
  }
}

/**
 * A cluster as a controller left it: the namespace, ovn-default as a first controller (the
 * `seedEntry` build) creates it on any cluster, then `count` allocated pods. Returns how long
 * the pods took to write, ms.
 */
export async function seedAllocatedCluster(api: ApiServerProcess, namespace: string, count: number, seedEntry: string): Promise<number> {
  const client = httpJson(api.url, 1);
  try {
    if ((await client.call('POST', PATHS.namespaces, namespaceObject(namespace))).status !== 201) throw new Error('namespace not created');
  } finally {
    client.close();
  }
  const seed = await startController({ kubeconfig: api.kubeconfig, name: 'seed', entry: seedEntry });
  await seed.close();
  const t0 = Date.now();
  await populateAllocated(api.url, namespace, count);
  return Date.now() - t0;
}
