import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  ApiException, CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, V1MicroTime, Watch, makeInformer, setHeaderOptions,
} from '@kubernetes/client-node';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { SUBNET_CRD, pod, setup } from './helpers.js';
import type { Harness } from './helpers.js';
import { until } from '../support/poll.js';

function client(h: Harness): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(h.kubeconfig);
  return kc;
}

function reason(err: unknown): string {
  if (!(err instanceof ApiException)) throw new Error(`expected ApiException, got ${String(err)}`);
  return String((JSON.parse(String(err.body)) as Record<string, unknown>)['reason']);
}


describe('@kubernetes/client-node against the local API server', () => {
  it('lists and watches pods with Watch from the list resourceVersion', async () => {
    const h = await setup();
    try {
      const kc = client(h);
      const core = kc.makeApiClient(CoreV1Api);
      await core.createNamespacedPod({ namespace: 'default', body: pod('a') as V1Pod });
      const list = await core.listNamespacedPod({ namespace: 'default' });
      assert.deepEqual(list.items.map((p) => p.metadata?.name), ['a']);
      const seen: string[] = [];
      const controller = await new Watch(kc).watch('/api/v1/namespaces/default/pods', { resourceVersion: list.metadata?.resourceVersion }, (type, obj: V1Pod) => seen.push(`${type} ${obj.metadata?.name ?? ''}`), () => undefined);
      await core.createNamespacedPod({ namespace: 'default', body: pod('b') as V1Pod });
      await core.deleteNamespacedPod({ namespace: 'default', name: 'a' });
      await until(() => seen.length === 2, '2 watch events', 3000, 10);
      assert.deepEqual(seen, ['ADDED b', 'DELETED a']);
      controller.abort();
    } finally {
      await h.close();
    }
  });

  it('feeds makeInformer add, update and delete events', async () => {
    const h = await setup();
    try {
      const kc = client(h);
      const core = kc.makeApiClient(CoreV1Api);
      const informer = makeInformer(kc, '/api/v1/namespaces/default/pods', () => core.listNamespacedPod({ namespace: 'default' }));
      const seen: string[] = [];
      informer.on('add', (p: V1Pod) => seen.push(`add ${p.metadata?.name ?? ''}`));
      informer.on('update', (p: V1Pod) => seen.push(`update ${p.metadata?.labels?.['v'] ?? ''}`));
      informer.on('delete', (p: V1Pod) => seen.push(`delete ${p.metadata?.name ?? ''}`));
      informer.on('error', (err: unknown) => seen.push(`error ${String(err)}`));
      await core.createNamespacedPod({ namespace: 'default', body: pod('a') as V1Pod });
      await informer.start();
      await until(() => seen.length === 1, '1 watch events', 3000, 10);
      await core.patchNamespacedPod({ namespace: 'default', name: 'a', body: { metadata: { labels: { v: '2' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await core.deleteNamespacedPod({ namespace: 'default', name: 'a' });
      await until(() => seen.length === 3, '3 watch events', 3000, 10);
      assert.deepEqual(seen, ['add a', 'update 2', 'delete a']);
      await informer.stop();
    } finally {
      await h.close();
    }
  });

  it('gets 409 Conflict on a stale update and AlreadyExists on a duplicate create', async () => {
    const h = await setup();
    try {
      const core = client(h).makeApiClient(CoreV1Api);
      const created = await core.createNamespacedPod({ namespace: 'default', body: pod('a') as V1Pod });
      await core.patchNamespacedPod({ namespace: 'default', name: 'a', body: { metadata: { labels: { x: 'y' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await assert.rejects(core.replaceNamespacedPod({ namespace: 'default', name: 'a', body: created }), (err: unknown) => reason(err) === 'Conflict');
      await assert.rejects(core.createNamespacedPod({ namespace: 'default', body: pod('a') as V1Pod }), (err: unknown) => reason(err) === 'AlreadyExists');
    } finally {
      await h.close();
    }
  });

  it('creates and renews a Lease with six-digit MicroTime and fails on a three-digit one', async () => {
    const h = await setup();
    try {
      const leases = client(h).makeApiClient(CoordinationV1Api);
      const body = { metadata: { name: 'kube-ovn-controller' }, spec: { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: new V1MicroTime(), renewTime: new V1MicroTime() } };
      const lease = await leases.createNamespacedLease({ namespace: 'kube-system', body });
      assert.match(String(JSON.stringify(lease.spec?.renewTime)), /\.\d{6}Z/);
      lease.spec = { ...lease.spec, renewTime: new V1MicroTime(Date.now() + 1000) };
      const renewed = await leases.replaceNamespacedLease({ namespace: 'kube-system', name: 'kube-ovn-controller', body: lease });
      assert.notEqual(renewed.metadata?.resourceVersion, lease.metadata?.resourceVersion);
      const plain = { ...body, metadata: { name: 'other' }, spec: { ...body.spec, renewTime: new Date() } };
      await assert.rejects(leases.createNamespacedLease({ namespace: 'kube-system', body: plain }), (err: unknown) => err instanceof ApiException && err.code === 400 && reason(err) === 'BadRequest');
    } finally {
      await h.close();
    }
  });

  it('writes custom resource status through the status subresource and honours finalizers', async () => {
    const h = await setup();
    try {
      const kc = client(h);
      const objects = KubernetesObjectApi.makeApiClient(kc);
      // Not through KubernetesObjectApi: client-node 2.0.1's serializer drops
      // x-kubernetes-preserve-unknown-fields, and the apiserver then prunes spec/status as kube does.
      await h.call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', SUBNET_CRD);
      const custom = kc.makeApiClient(CustomObjectsApi);
      const at = { group: 'kubeovn.io', version: 'v1', plural: 'subnets' };
      await custom.createClusterCustomObject({ ...at, body: { apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name: 's1', finalizers: ['kubeovn.io/test'] }, spec: { cidrBlock: '10.0.0.0/24' } } });
      const withStatus = (await custom.patchClusterCustomObjectStatus({ ...at, name: 's1', body: { status: { ready: true } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))) as Record<string, unknown>;
      assert.deepEqual(withStatus['status'], { ready: true });
      await custom.deleteClusterCustomObject({ ...at, name: 's1' });
      const deleting = (await custom.getClusterCustomObject({ ...at, name: 's1' })) as { metadata: Record<string, unknown> };
      assert.equal(typeof deleting.metadata['deletionTimestamp'], 'string');
      await custom.patchClusterCustomObject({ ...at, name: 's1', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
      await assert.rejects(custom.getClusterCustomObject({ ...at, name: 's1' }), (err: unknown) => reason(err) === 'NotFound');
      const read = await objects.read({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'subnets.kubeovn.io' } });
      assert.equal(read.metadata?.name, 'subnets.kubeovn.io');
    } finally {
      await h.close();
    }
  });
});
