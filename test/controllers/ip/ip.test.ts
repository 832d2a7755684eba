// Unit tests of the IP reconciler against a fake context: no API server, no sleeps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HELD_SLOT } from '../../../src/kube/index.js';
import { FINALIZER } from '../../../src/controllers/constants.js';
import type { IpObject } from '../../../src/controllers/context.js';
import { ipReconciler } from '../../../src/controllers/ip/index.js';
import { createIpReconciler } from '../../../src/controllers/ip/reconcile.js';
import type { Pod } from '../../../src/controllers/pod/rules.js';
import { RESOURCES } from '../../../src/kube/index.js';
import { podObject } from '../../support/objects.js';
import { fakeContext } from '../fake-context.js';

const signal = new AbortController().signal;

function setup() {
  const f = fakeContext();
  f.ctx.term.ipam.upsertSubnet({ name: 'ovn-default', cidrBlock: '10.16.0.0/24' });
  const held = f.ctx.term.ipam.allocate('ns/a', 'ovn-default');
  assert.ok(held.ok);
  f.ctx.term.pods.markCommitted('ns/a');
  f.caches.pods.put(podObject('ns', 'a', { nodeName: 'node-1' }) as Pod);
  return { ...f, held, reconcile: createIpReconciler(f.ctx) };
}

describe('IP reconciler (fake context)', () => {
  it('creates the IP object of a committed allocation once, even before the cache shows our create', async () => {
    const { reconcile, client, held } = setup();
    await reconcile('a.ns', signal, HELD_SLOT);
    await reconcile('a.ns', signal, HELD_SLOT);
    const creates = client.writes.filter((w) => w.verb === 'create');
    assert.equal(creates.length, 1);
    const ip = client.stored(RESOURCES.ips, 'a.ns') as IpObject;
    assert.deepEqual(ip.metadata.finalizers, [FINALIZER]);
    assert.equal(ip.spec?.ipAddress, held.ip);
    assert.equal(ip.spec?.nodeName, 'node-1');
  });

  it('forgets its write when the informer reports the object deleted, so the next reconcile creates it again', async () => {
    const { reconcile, client, ctx } = setup();
    await reconcile('a.ns', signal, HELD_SLOT);
    const ip = client.stored(RESOURCES.ips, 'a.ns') as IpObject;
    await client.delete(RESOURCES.ips, 'a.ns');
    const onDelete = ipReconciler.watches[0]?.cache === 'ips' ? ipReconciler.watches[0].onDelete : undefined;
    assert.deepEqual(onDelete?.(ip, ctx), ['a.ns']);
    await reconcile('a.ns', signal, HELD_SLOT);
    assert.equal(client.writes.filter((w) => w.verb === 'create').length, 2);
  });

  it('collects the IP object of a finished pod: our finalizer off, then the delete', async () => {
    const { reconcile, client, caches, deliver } = setup();
    await reconcile('a.ns', signal, HELD_SLOT);
    deliver();
    caches.pods.put({ ...(podObject('ns', 'a') as Pod), spec: { restartPolicy: 'Never' }, status: { phase: 'Succeeded' } });
    await reconcile('a.ns', signal, HELD_SLOT);
    const [unfinalize, del] = client.writes.slice(-2);
    assert.deepEqual(unfinalize?.body, { metadata: { finalizers: null, resourceVersion: (caches.ips.get('a.ns') as IpObject).metadata.resourceVersion } });
    assert.equal(del?.verb, 'delete');
    assert.equal(client.stored(RESOURCES.ips, 'a.ns'), undefined);
  });
});
