import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../../../src/kube/client/index.js';
import { createInformer } from '../../../src/kube/informer/index.js';
import { createFakeClock, silentLogger } from '../client/fakes.js';
import { createFakeListWatch, pod } from './fake-list-watch.js';
import type { KubeObject } from '../../../src/kube/client/index.js';

function setup() {
  const clock = createFakeClock();
  const fake = createFakeListWatch();
  const transformed: string[] = [];
  const informer = createInformer<KubeObject>({
    client: fake.client,
    resource: RESOURCES.pods,
    logger: silentLogger(),
    clock,
    random: () => 0,
    transform: (o) => {
      transformed.push(o.metadata.name ?? '');
      return { metadata: { name: o.metadata.name, namespace: o.metadata.namespace, resourceVersion: o.metadata.resourceVersion }, kept: true };
    },
  });
  const abort = new AbortController();
  return { clock, fake, informer, abort, transformed, start: () => informer.run(abort.signal) };
}

describe('informer transform', () => {
  it('gives others the form it caches in (the rebuild slims its quorum lists with it)', () => {
    const { informer } = setup();
    const slim = informer.transform({ ...pod('a', '3'), spec: { containers: [{ name: 'big' }] } });
    assert.equal(slim['spec'], undefined);
    assert.equal(slim['kept'], true);
    const plain = createInformer<KubeObject>({ client: createFakeListWatch().client, resource: RESOURCES.pods, logger: silentLogger() });
    const obj = pod('b', '4');
    assert.equal(plain.transform(obj), obj, 'without a transform, the object itself');
  });

  it('caches the transformed form of listed and watched objects', async () => {
    const { clock, fake, informer, abort, transformed, start } = setup();
    fake.queueList({ items: [{ ...pod('a', '3'), spec: { containers: [{ name: 'big' }] } }], resourceVersion: '10' });
    const done = start();
    await clock.advance(0);
    fake.lastWatch().push('ADDED', { ...pod('b', '11'), spec: { containers: [{ name: 'big' }] } });
    await clock.advance(0);
    assert.deepEqual(transformed, ['a', 'b']);
    for (const o of informer.list()) {
      assert.equal(o['spec'], undefined, `${o.metadata.name} kept its spec`);
      assert.equal(o['kept'], true);
    }
    abort.abort();
    await done;
  });

  it('asks its lists and watches to decode only the fields its transform reads, and tells the rebuild which', async () => {
    const clock = createFakeClock();
    const fake = createFakeListWatch();
    const fields = { metadata: { name: true, namespace: true, resourceVersion: true } } as const;
    const informer = createInformer<KubeObject>({ client: fake.client, resource: RESOURCES.pods, logger: silentLogger(), clock, random: () => 0, transform: (o) => o, fields });
    assert.equal(informer.fields, fields);
    fake.queueList({ items: [pod('a', '3')], resourceVersion: '10', continue: 'c' }, { items: [pod('b', '4')], resourceVersion: '10' });
    const abort = new AbortController();
    const done = informer.run(abort.signal);
    await clock.advance(0);
    assert.deepEqual(fake.listCalls.map((c) => c.fields), [fields, fields], 'every page');
    assert.equal(fake.lastWatch().options.fields, fields, 'and the watch');
    abort.abort();
    await done;
    const plain = createInformer<KubeObject>({ client: createFakeListWatch().client, resource: RESOURCES.pods, logger: silentLogger() });
    assert.equal(plain.fields, undefined);
  });
});
