import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, RESOURCES } from '../../../src/kube/client/index.js';
import { byNamespace, createInformer, createInformerSyncCheck } from '../../../src/kube/informer/index.js';
import { createFakeClock, silentLogger } from '../client/fakes.js';
import { createFakeListWatch, pod } from './fake-list-watch.js';
import type { KubeObject } from '../../../src/kube/client/index.js';

function setup(options: { resyncPeriodMs?: number; throwingHandler?: boolean } = {}) {
  const clock = createFakeClock();
  const fake = createFakeListWatch();
  const seen: string[] = [];
  const informer = createInformer<KubeObject>({
    client: fake.client,
    resource: RESOURCES.pods,
    indexers: { namespace: byNamespace },
    logger: silentLogger(),
    clock,
    random: () => 0,
    ...(options.resyncPeriodMs === undefined ? {} : { resyncPeriodMs: options.resyncPeriodMs }),
    handlers: {
      onAdd: (o) => {
        seen.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`);
        if (options.throwingHandler === true) throw new Error('handler bug');
      },
      onUpdate: (old, o) => seen.push(`update ${o.metadata.name}@${old.metadata.resourceVersion}->${o.metadata.resourceVersion}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    },
  });
  const abort = new AbortController();
  const start = () => informer.run(abort.signal);
  return { clock, fake, seen, informer, abort, start };
}

describe('informer list and watch', () => {
  it('lists every page with limit 500 before it reports synced, then watches from the list version with bookmarks', async () => {
    const { clock, fake, seen, informer, abort, start } = setup();
    fake.queueList({ items: [pod('a', '3')], resourceVersion: '10', continue: 'next' }, { items: [pod('b', '4')], resourceVersion: '10' });
    const done = start();
    await clock.advance(0);
    assert.equal(informer.hasSynced(), true);
    assert.deepEqual(fake.listCalls.map((c) => [c.limit, c.continue]), [[500, undefined], [500, 'next']]);
    assert.deepEqual(seen, ['add a@3', 'add b@4']);
    const watch = fake.lastWatch();
    assert.equal(watch.options.resourceVersion, '10');
    assert.equal(watch.options.allowWatchBookmarks, true);
    assert.ok((watch.options.timeoutSeconds ?? 0) >= 300 && (watch.options.timeoutSeconds ?? 0) < 600);
    abort.abort();
    await done;
  });

  it('applies watch events and resumes after a clean close from the last bookmark', async () => {
    const { clock, fake, seen, informer, abort, start } = setup();
    fake.queueList({ items: [pod('a', '3')], resourceVersion: '10' });
    const done = start();
    await clock.advance(0);
    const first = fake.lastWatch();
    first.push('MODIFIED', pod('a', '11'));
    first.push('ADDED', pod('c', '12'));
    first.push('DELETED', pod('a', '13'));
    first.push('BOOKMARK', { metadata: { resourceVersion: '20' } });
    await clock.advance(5000);
    first.end();
    await clock.advance(0);
    assert.deepEqual(seen, ['add a@3', 'update a@3->11', 'add c@12', 'delete a']);
    assert.equal(fake.watches.length, 2);
    assert.equal(fake.lastWatch().options.resourceVersion, '20');
    assert.deepEqual(informer.list().map((o) => o.metadata.name), ['c']);
    assert.deepEqual(informer.byIndex('namespace', 'default').map((o) => o.metadata.name), ['c']);
    assert.equal(fake.listCalls.length, 1);
    abort.abort();
    await done;
  });

  it('relists on an in-band 410, dropping hasSynced (not readiness) until the relist lands and synthesising missed deletes', async () => {
    const { clock, fake, seen, informer, abort, start } = setup();
    fake.queueList({ items: [pod('a', '3'), pod('b', '4')], resourceVersion: '10' });
    const done = start();
    await clock.advance(0);
    fake.lastWatch().push('ERROR', { kind: 'Status', metadata: {}, code: 410, reason: 'Expired', message: 'too old resource version: 10 (50)' } as unknown as KubeObject);
    await clock.advance(0);
    assert.equal(informer.hasSynced(), false);
    // Readiness keeps the replica in its Services through the relist (the system test's survivor
    // missed a probe when a compaction forced relists of paged lists).
    assert.equal(informer.hasSyncedOnce(), true);
    assert.equal(createInformerSyncCheck([informer]).run().ok, true);
    // The relist found no answer scripted yet (a failed list), so it comes back after the first backoff step.
    fake.queueList({ items: [pod('b', '40'), pod('c', '45')], resourceVersion: '50' });
    await clock.advance(800);
    assert.equal(informer.hasSynced(), true);
    assert.deepEqual(seen.slice(2), ['delete a', 'update b@4->40', 'add c@45']);
    assert.equal(fake.lastWatch().options.resourceVersion, '50');
    abort.abort();
    await done;
  });

  it('relists when opening the watch answers HTTP 410', async () => {
    const { clock, fake, informer, abort, start } = setup();
    fake.queueList({ items: [], resourceVersion: '10' }, { items: [pod('z', '60')], resourceVersion: '60' });
    fake.failWatch(new ApiError(410, 'Expired', 'too old'));
    const done = start();
    await clock.advance(0);
    assert.equal(fake.listCalls.length, 2);
    assert.deepEqual(informer.list().map((o) => o.metadata.name), ['z']);
    assert.equal(informer.hasSynced(), true);
    abort.abort();
    await done;
  });

  it('backs off 800 ms, 1.6 s, 3.2 s on repeated failures and re-watches from the same version without relisting', async () => {
    const { clock, fake, informer, abort, start } = setup();
    fake.queueList({ items: [pod('a', '3')], resourceVersion: '10' });
    const boom = () => new ApiError(500, 'InternalError', 'boom');
    fake.failWatch(boom(), boom(), boom());
    const done = start();
    await clock.advance(0);
    assert.equal(fake.watches.length, 0);
    await clock.advance(799);
    assert.equal(fake.watches.length, 0);
    await clock.advance(1 + 1600 + 3199);
    assert.equal(fake.watches.length, 0);
    await clock.advance(1);
    assert.equal(fake.watches.length, 1);
    assert.equal(fake.lastWatch().options.resourceVersion, '10');
    assert.equal(fake.listCalls.length, 1);
    assert.equal(informer.hasSynced(), true, 'transient failures keep the cache synced');
    abort.abort();
    await done;
  });

  it('keeps retrying a failing initial list and stays unsynced meanwhile', async () => {
    const { clock, fake, informer, abort, start } = setup();
    fake.queueList(new Error('connect ECONNREFUSED'), new Error('connect ECONNREFUSED'));
    const done = start();
    await clock.advance(0);
    assert.equal(informer.hasSynced(), false);
    assert.deepEqual(createInformerSyncCheck([informer]).run(), { ok: false, reason: 'not synced: pods' });
    fake.queueList({ items: [pod('a', '3')], resourceVersion: '10' });
    await clock.advance(800 + 1600);
    assert.equal(informer.hasSynced(), true);
    assert.deepEqual(createInformerSyncCheck([informer]).run(), { ok: true });
    abort.abort();
    await done;
  });

  it('treats a watch that closes at once without events as a failure, so it does not spin', async () => {
    const { clock, fake, abort, start } = setup();
    fake.queueList({ items: [], resourceVersion: '10' });
    const done = start();
    await clock.advance(0);
    fake.lastWatch().end();
    await clock.advance(0);
    assert.equal(fake.watches.length, 1);
    await clock.advance(800);
    assert.equal(fake.watches.length, 2);
    abort.abort();
    await done;
  });
});

describe('informer handlers and resync', () => {
  it('re-delivers every cached object as an update at the resync period', async () => {
    const { clock, fake, seen, abort, start } = setup({ resyncPeriodMs: 60_000 });
    fake.queueList({ items: [pod('a', '3')], resourceVersion: '10' });
    const done = start();
    await clock.advance(59_999);
    assert.deepEqual(seen, ['add a@3']);
    await clock.advance(1);
    assert.deepEqual(seen, ['add a@3', 'update a@3->3']);
    abort.abort();
    await done;
  });

  it('never resyncs when the period is left at its default', async () => {
    const { clock, fake, seen, abort, start } = setup();
    fake.queueList({ items: [pod('a', '3')], resourceVersion: '10' });
    const done = start();
    await clock.advance(3_600_000);
    assert.deepEqual(seen, ['add a@3']);
    abort.abort();
    await done;
  });

  it('survives a throwing handler', async () => {
    const { clock, fake, informer, abort, start } = setup({ throwingHandler: true });
    fake.queueList({ items: [pod('a', '3')], resourceVersion: '10' });
    const done = start();
    await clock.advance(0);
    fake.lastWatch().push('ADDED', pod('b', '11'));
    await clock.advance(0);
    assert.deepEqual(informer.list().map((o) => o.metadata.name).sort(), ['a', 'b']);
    abort.abort();
    await done;
  });

  it('replays cached objects to handlers added later, and stops delivering after removal', async () => {
    const { clock, fake, informer, abort, start } = setup();
    fake.queueList({ items: [pod('a', '3')], resourceVersion: '10' });
    const done = start();
    await clock.advance(0);
    const late: string[] = [];
    const remove = informer.addHandlers({ onAdd: (o) => late.push(o.metadata.name ?? '') });
    fake.lastWatch().push('ADDED', pod('b', '11'));
    await clock.advance(0);
    remove();
    fake.lastWatch().push('ADDED', pod('c', '12'));
    await clock.advance(0);
    assert.deepEqual(late, ['a', 'b']);
    abort.abort();
    await done;
  });

  it('resolves waitForSync on sync, or false when aborted first', async () => {
    const { clock, fake, informer, abort, start } = setup();
    const early = new AbortController();
    const gaveUp = informer.waitForSync(early.signal);
    early.abort();
    assert.equal(await gaveUp, false);
    const waiting = informer.waitForSync(abort.signal);
    fake.queueList({ items: [], resourceVersion: '1' });
    const done = start();
    await clock.advance(0);
    assert.equal(await waiting, true);
    abort.abort();
    await done;
  });
});

describe('informer-sync check', () => {
  it('names every informer that has not synced', () => {
    const check = createInformerSyncCheck([
      { name: 'pods', hasSyncedOnce: () => false },
      { name: 'subnets', hasSyncedOnce: () => true },
      { name: 'ips', hasSyncedOnce: () => false },
    ]);
    assert.equal(check.name, 'informer-sync');
    assert.deepEqual(check.run(), { ok: false, reason: 'not synced: pods, ips' });
  });
});
