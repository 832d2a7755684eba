// Unit tests of the pod reconciler against a fake context (caches, client, clock): no API server, no sleeps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HELD_SLOT } from '../../../src/kube/index.js';
import { podReconciler, podUpdateKeys } from '../../../src/controllers/pod/index.js';
import { createPodReconciler } from '../../../src/controllers/pod/reconcile.js';
import type { PodNetwork } from '../../../src/controllers/pod/network.js';
import type { Pod } from '../../../src/controllers/pod/rules.js';
import { RESOURCES } from '../../../src/kube/index.js';
import { ANN, podObject, subnetObject } from '../../support/objects.js';
import { fakeContext } from '../fake-context.js';

const signal = new AbortController().signal;

function setup(options: { cidr?: string; podNetwork?: PodNetwork } = {}) {
  const f = fakeContext(options.podNetwork === undefined ? {} : { podNetwork: options.podNetwork });
  const subnet = subnetObject('ovn-default', { cidrBlock: options.cidr ?? '10.16.0.0/29' });
  f.caches.subnets.put(subnet);
  assert.equal(f.ctx.term.ipam.upsertSubnet({ name: 'ovn-default', cidrBlock: options.cidr ?? '10.16.0.0/29' }).ok, true);
  const addPod = (name: string): Pod => {
    const p = podObject('ns', name) as Pod;
    f.client.seed(RESOURCES.pods, p);
    f.caches.pods.put(p);
    return p;
  };
  return { ...f, reconcile: createPodReconciler(f.ctx), addPod };
}

describe('pod reconciler (fake context)', () => {
  it('reserves the lowest free address, writes the IP object, then the annotations in one merge patch (DESIGN §7a order), and a status refresh', async () => {
    const { reconcile, addPod, client, enqueued, ctx } = setup();
    addPod('a');
    assert.deepEqual(await reconcile('ns/a', signal, HELD_SLOT), { kind: 'done' });
    assert.deepEqual(client.writes.map((w) => `${w.verb} ${w.resource} ${w.name}`), ['create ips a.ns', 'mergePatch pods ns/a']);
    const patches = client.writes.filter((w) => w.verb === 'mergePatch');
    const annotations = (patches[0]?.body as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
    assert.equal(annotations[ANN.ip], '10.16.0.2');
    assert.equal(annotations[ANN.allocated], 'true');
    assert.equal((client.stored(RESOURCES.ips, 'a.ns')?.['spec'] as Record<string, unknown>)['ipAddress'], '10.16.0.2');
    assert.deepEqual(enqueued.ip, []);
    assert.deepEqual(enqueued.subnetStatus, ['ovn-default', 'ovn-default']);
    assert.equal(ctx.term.pods.isCommitted('ns/a'), true);
  });

  it('programs the network after the reservation and before the patch, and removes the port before releasing', async () => {
    const order: string[] = [];
    let f: ReturnType<typeof setup> | undefined;
    const podNetwork: PodNetwork = {
      ensurePort: async (key, _pod, a) => (order.push(`ensure ${key} ${a.ip} held=${f?.ctx.term.ipam.get(key)?.ip ?? 'none'} patched=${f?.client.writes.length ?? 0}`), { routed: false }),
      removePort: async (key) => void order.push(`remove ${key} held=${f?.ctx.term.ipam.get(key)?.ip ?? 'none'}`),
    };
    f = setup({ podNetwork });
    f.addPod('a');
    await f.reconcile('ns/a', signal, HELD_SLOT);
    f.caches.pods.remove('ns/a');
    await f.reconcile('ns/a', signal, HELD_SLOT);
    assert.deepEqual(order, ['ensure ns/a 10.16.0.2 held=10.16.0.2 patched=0', 'remove ns/a held=10.16.0.2']);
    assert.equal(f.ctx.term.ipam.get('ns/a'), undefined);
  });

  it('keeps the reservation and writes nothing when the network step fails, so the retry writes the same address', async () => {
    let fail = true;
    const podNetwork: PodNetwork = { ensurePort: async () => (fail ? Promise.reject(new Error('nb unreachable')) : { routed: false }), removePort: async () => {} };
    const { reconcile, addPod, client, ctx } = setup({ podNetwork });
    addPod('a');
    await assert.rejects(reconcile('ns/a', signal, HELD_SLOT), /nb unreachable/);
    assert.equal(client.writes.length, 0);
    assert.equal(ctx.term.ipam.get('ns/a')?.ip, '10.16.0.2');
    fail = false;
    await reconcile('ns/a', signal, HELD_SLOT);
    assert.deepEqual(client.writes.map((w) => `${w.verb} ${w.resource}`), ['create ips', 'mergePatch pods']);
    assert.equal(ctx.term.ipam.get('ns/a')?.ip, '10.16.0.2');
  });

  it('waits, parked on its subnet and with its reservation, while the subnet has no switch yet; the subnet waking it lets it finish', async () => {
    let missing = true;
    const podNetwork: PodNetwork = { ensurePort: async () => (missing ? { routed: false, switchMissing: true } : { routed: true }), removePort: async () => {} };
    const { reconcile, addPod, client, ctx, enqueued } = setup({ podNetwork });
    addPod('a');
    assert.deepEqual(await reconcile('ns/a', signal, HELD_SLOT), { kind: 'requeue' }, 'a wait with backoff, not an error');
    assert.equal(client.writes.length, 0, 'no IP object or annotation before the port exists');
    assert.equal(ctx.term.ipam.get('ns/a')?.ip, '10.16.0.2');
    assert.deepEqual(enqueued.pod, []);
    ctx.term.pods.wake('ovn-default');
    assert.deepEqual(enqueued.pod, ['ns/a'], 'the subnet\'s switch step wakes the pods parked on it');
    missing = false;
    assert.deepEqual(await reconcile('ns/a', signal, HELD_SLOT), { kind: 'done' });
    assert.deepEqual(client.writes.map((w) => `${w.verb} ${w.resource}`), ['create ips', 'mergePatch pods']);
    assert.equal(ctx.term.ipam.get('ns/a')?.ip, '10.16.0.2', 'the same address');
  });

  it('writes edited allocation annotations back from the held allocation and never releases it', async () => {
    const { reconcile, addPod, client, ctx } = setup();
    addPod('a');
    await reconcile('ns/a', signal, HELD_SLOT);
    const edited = structuredClone(client.stored(RESOURCES.pods, 'ns/a') as Pod);
    edited.metadata.annotations = { ...edited.metadata.annotations, [ANN.ip]: '10.16.0.6', [ANN.ls]: 'nonexistent' };
    (ctx.caches.pods as unknown as { put(p: Pod): void }).put(edited);
    client.seed(RESOURCES.pods, edited);
    assert.deepEqual(await reconcile('ns/a', signal, HELD_SLOT), { kind: 'done' });
    const last = client.writes.at(-1);
    assert.equal(last?.verb, 'mergePatch');
    const annotations = (last?.body as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
    assert.deepEqual([annotations[ANN.ip], annotations[ANN.ls]], ['10.16.0.2', 'ovn-default']);
    assert.equal(ctx.term.ipam.get('ns/a')?.ip, '10.16.0.2', 'still held');
    const other = ctx.term.ipam.allocate('ns/b', 'ovn-default', { ip: '10.16.0.2' });
    assert.equal(!other.ok && other.reason, 'AddressConflict', 'the held address is not free for another pod');
  });

  it('parks a pod the full subnet cannot serve and wakes it when another pod releases', async () => {
    // A /30 with the gateway leaves one address.
    const { reconcile, addPod, caches, enqueued, client } = setup({ cidr: '10.16.0.0/30' });
    addPod('a');
    addPod('b');
    await reconcile('ns/a', signal, HELD_SLOT);
    assert.deepEqual(await reconcile('ns/b', signal, HELD_SLOT), { kind: 'requeue' });
    assert.equal(client.writes.filter((w) => w.name === 'ns/b').length, 0);
    caches.pods.remove('ns/a');
    await reconcile('ns/a', signal, HELD_SLOT);
    assert.deepEqual(enqueued.pod, ['ns/b']);
  });

  it('skips the echo of its own allocation patch but not a real change that arrives with it', async () => {
    const { reconcile, addPod, client, deliver, ctx } = setup();
    const before = addPod('a');
    await reconcile('ns/a', signal, HELD_SLOT);
    deliver();
    const echo = ctx.caches.pods.get('ns/a') as Pod;
    assert.deepEqual(podUpdateKeys(before, echo, ctx), []);
    const moved = { ...echo, status: { phase: 'Failed', reason: 'Evicted' } };
    assert.deepEqual(podUpdateKeys(before, moved, ctx), ['ns/a']);
    assert.ok(client.writes.length > 0);
  });

  it('declares what it watches: pods, and subnets only to wake parked pods on a namespace binding change', () => {
    assert.deepEqual(podReconciler.watches.map((w) => w.cache), ['pods', 'subnets']);
    const { ctx, addPod, enqueued } = setup({ cidr: '10.16.0.0/30' });
    ctx.term.pods.parkUntilRoom('ovn-default', 'ns/waiting');
    addPod('x');
    const subnets = podReconciler.watches[1];
    assert.ok(subnets?.cache === 'subnets' && subnets.onUpdate !== undefined);
    const s = subnetObject('other', { cidrBlock: '10.17.0.0/24' });
    assert.deepEqual(subnets.onUpdate(s, { ...s, spec: { ...s.spec, namespaces: ['ns'] } }, ctx), []);
    assert.deepEqual(enqueued.pod, ['ns/waiting']);
  });
});
