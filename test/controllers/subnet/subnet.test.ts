// Unit tests of the subnet reconciler against a fake context: no API server, no sleeps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HELD_SLOT } from '../../../src/kube/index.js';
import { FINALIZER } from '../../../src/controllers/constants.js';
import { ensureDefaultSubnet } from '../../../src/controllers/subnet/default-subnet.js';
import { createSubnetReconciler } from '../../../src/controllers/subnet/reconcile.js';
import type { SubnetObject } from '../../../src/controllers/subnet/rules.js';
import type { NbNetwork } from '../../../src/ovn/index.js';
import { RESOURCES } from '../../../src/kube/index.js';
import { subnetObject } from '../../support/objects.js';
import { fakeContext } from '../fake-context.js';

const signal = new AbortController().signal;

function setup() {
  const f = fakeContext();
  const addSubnet = (name: string, spec: Record<string, unknown>): void => {
    const s = subnetObject(name, spec) as SubnetObject;
    f.client.seed(RESOURCES.subnets, s);
    f.caches.subnets.put(s);
  };
  return { ...f, reconcile: createSubnetReconciler(f.ctx), addSubnet };
}

describe('subnet reconciler (fake context)', () => {
  it('wakes the pods parked on a subnet once its switch is programmed (they found none)', async () => {
    const programmed: string[] = [];
    const nb = { ensureSubnet: async (spec: { name: string }) => (programmed.push(spec.name), { ok: true as const }) } as unknown as NbNetwork;
    const f = fakeContext({ nb });
    const s = subnetObject('team', { cidrBlock: '10.70.0.0/24' }) as SubnetObject;
    f.client.seed(RESOURCES.subnets, s);
    f.caches.subnets.put(s);
    const reconcile = createSubnetReconciler(f.ctx);
    // The first reconcile starts serving the subnet, which wakes every parked pod anyway.
    await reconcile('team', signal, HELD_SLOT);
    f.enqueued.pod.splice(0);
    f.ctx.term.pods.parkUntilRoom('team', 'team/t1');
    f.ctx.term.pods.parkUntilRoom('other', 'other/o1');
    await reconcile('team', signal, HELD_SLOT);
    assert.deepEqual(programmed, ['team', 'team']);
    assert.deepEqual(f.enqueued.pod, ['team/t1'], 'the switch step wakes the pods of its own subnet only');
  });

  it('keeps the allocations of a subnet missing from a lagging cache, and re-admits them before any new allocation when it appears (issue 10 case 2)', async () => {
    const { reconcile, addSubnet, ctx } = setup();
    const { ipam } = ctx.term;
    // The rebuild's quorum list had the subnet and its pod; the new leader's cache has not seen it yet.
    ipam.upsertSubnet({ name: 'team', cidrBlock: '10.70.0.0/24' });
    assert.equal(ipam.restore('team/t1', 'team', { v4: '10.70.0.2', mac: '0a:00:00:00:00:02' }).ok, true);
    assert.deepEqual(await reconcile('team', signal, HELD_SLOT), { kind: 'done' });
    assert.equal(ipam.subnet('team'), undefined, 'not served while the cache does not know it');
    assert.equal(ipam.get('team/t1')?.ip, '10.70.0.2', 'but the address stays held');
    addSubnet('team', { cidrBlock: '10.70.0.0/24' });
    await reconcile('team', signal, HELD_SLOT);
    assert.equal(ipam.get('team/t1', 'team')?.ip, '10.70.0.2');
    const next = ipam.allocate('team/t2', 'team');
    assert.equal(next.ok && next.ip, '10.70.0.3');
  });


  it('writes defaults and the finalizer in one patch, serves the subnet and reports Validated', async () => {
    const { reconcile, addSubnet, client, ctx } = setup();
    addSubnet('s1', { cidrBlock: '10.1.0.0/24' });
    assert.deepEqual(await reconcile('s1', signal, HELD_SLOT), { kind: 'done' });
    const [defaults, status] = client.writes.filter((w) => w.verb === 'mergePatch');
    assert.deepEqual((defaults?.body as { metadata: { finalizers: string[] } }).metadata.finalizers, [FINALIZER]);
    assert.equal((defaults?.body as { spec: { gateway: string } }).spec.gateway, '10.1.0.1');
    assert.equal(status?.subresource, 'status');
    const stored = client.stored(RESOURCES.subnets, 's1') as SubnetObject;
    assert.equal(stored.status?.conditions?.find((c) => c.type === 'Validated')?.status, 'True');
    assert.equal(ctx.term.ipam.subnet('s1')?.cidrBlock, '10.1.0.0/24');
  });

  it('keeps the finalizer of a deleting subnet while an address is in use, and removes only ours once released', async () => {
    const { reconcile, addSubnet, client, caches, ctx, deliver } = setup();
    addSubnet('s1', { cidrBlock: '10.1.0.0/24' });
    await reconcile('s1', signal, HELD_SLOT);
    deliver();
    assert.equal(ctx.term.ipam.allocate('ns/p', 's1').ok, true);
    const served = caches.subnets.get('s1') as SubnetObject;
    const deleting = { ...served, metadata: { ...served.metadata, deletionTimestamp: '2026-01-02T03:04:05Z', finalizers: ['other.io/keep', FINALIZER] } };
    caches.subnets.put(deleting);
    client.seed(RESOURCES.subnets, deleting);
    await reconcile('s1', signal, HELD_SLOT);
    assert.deepEqual((client.stored(RESOURCES.subnets, 's1') as SubnetObject).metadata.finalizers, ['other.io/keep', FINALIZER]);
    ctx.term.ipam.release('ns/p', 's1');
    await reconcile('s1', signal, HELD_SLOT);
    const last = client.writes.at(-1);
    assert.deepEqual(last?.body, { metadata: { finalizers: ['other.io/keep'], resourceVersion: deleting.metadata.resourceVersion } });
    assert.equal(ctx.term.ipam.subnet('s1'), undefined);
  });

  it('creates the default subnet when absent, and treats AlreadyExists as done', async () => {
    const { ctx, client } = setup();
    await ensureDefaultSubnet(ctx, signal);
    const created = client.stored(RESOURCES.subnets, 'ovn-default') as SubnetObject;
    assert.deepEqual(created.spec, { cidrBlock: '10.16.0.0/16', excludeIps: [], protocol: 'IPv4', provider: 'ovn', default: true });
    await ensureDefaultSubnet(ctx, signal);
    assert.equal(client.writes.filter((w) => w.verb === 'create').length, 2);
  });

  it('retries the default subnet on the backoff schedule (500 ms doubling) until the API server answers, without sleeping', async () => {
    const { ctx, client, clock } = setup();
    client.failNext('create', new Error('connection refused'));
    const done = ensureDefaultSubnet(ctx, signal);
    await new Promise((r) => setImmediate(r));
    assert.equal(client.stored(RESOURCES.subnets, 'ovn-default'), undefined);
    clock.advance(499);
    await new Promise((r) => setImmediate(r));
    assert.equal(client.writes.filter((w) => w.verb === 'create').length, 1);
    clock.advance(1);
    await done;
    assert.notEqual(client.stored(RESOURCES.subnets, 'ovn-default'), undefined);
  });
});
