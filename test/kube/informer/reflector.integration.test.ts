import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { createKubeClient, isAlreadyExists, RESOURCES } from '../../../src/kube/client/index.js';
import { createInformer } from '../../../src/kube/informer/index.js';
import { kubeconfigYaml, startApiServer } from '../../support/apiserver/index.js';
import { silentLogger } from '../client/fakes.js';
import type { ApiServer } from '../../support/apiserver/index.js';
import type { KubeClient, KubeObject } from '../../../src/kube/client/index.js';
import type { Informer } from '../../../src/kube/informer/index.js';

/** Real sockets and real time, with every wait bounded; backoffs shrunk so faults clear in ms. */
const FAST_BACKOFF = { initialMs: 20, maxMs: 200, factor: 2, jitter: 0.5, resetAfterMs: 2000 };

let server: ApiServer;
let writer: KubeClient;

before(async () => {
  server = await startApiServer({ bookmarkIntervalMs: 200 });
  writer = clientFor(server.url);
});
after(async () => {
  await server.close();
});

function clientFor(url: string): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(url));
  return createKubeClient({ kubeconfig: kc, logger: silentLogger(), retry: { initialMs: 10, maxMs: 1500 } });
}

async function setup(namespace: string, options: { inactivityTimeoutMs?: number; pageSize?: number } = {}) {
  await writer.create(RESOURCES.namespaces, { metadata: { name: namespace } }).catch((err: unknown) => {
    if (!isAlreadyExists(err)) throw err;
  });
  const client = clientFor(server.url);
  const lists: Array<{ syncedAtCall: boolean }> = [];
  let informer: Informer | undefined;
  const counting: Pick<KubeClient, 'list' | 'watch'> = {
    list: (resource, o, map) => {
      lists.push({ syncedAtCall: informer?.hasSynced() ?? false });
      return client.list(resource, o, map);
    },
    watch: (resource, o) => client.watch(resource, o),
  };
  const deleted: string[] = [];
  informer = createInformer<KubeObject>({
    client: counting,
    resource: RESOURCES.pods,
    namespace,
    logger: silentLogger(),
    handlers: { onDelete: (o) => deleted.push(o.metadata.name ?? '') },
    reflector: { backoff: FAST_BACKOFF, pageSize: options.pageSize ?? 500, ...(options.inactivityTimeoutMs === undefined ? {} : { inactivityTimeoutMs: options.inactivityTimeoutMs }) },
  });
  const abort = new AbortController();
  const running = informer.run(abort.signal);
  const stop = async () => {
    abort.abort();
    await running;
  };
  const synced = await informer.waitForSync(AbortSignal.timeout(5000));
  assert.equal(synced, true, 'informer synced within 5 s');
  return { informer, namespace, lists, deleted, stop };
}

const pod = (namespace: string, name: string): KubeObject => ({ metadata: { name, namespace }, spec: { containers: [{ name: 'c', image: 'pause' }] } });

async function write(namespace: string, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 1) await writer.create(RESOURCES.pods, pod(namespace, `p${i}`));
  for (let i = from; i < to; i += 2) await writer.mergePatch(RESOURCES.pods, `p${i}`, { metadata: { labels: { touched: String(i) } } }, { namespace });
  for (let i = from; i < to; i += 3) await writer.delete(RESOURCES.pods, `p${i}`, { namespace });
}

function snapshot(objects: readonly KubeObject[]): Record<string, string> {
  const pairs = objects.map((o): [string, string] => [o.metadata.name ?? '', o.metadata.resourceVersion ?? '']);
  return Object.fromEntries(pairs.sort((x, y) => x[0].localeCompare(y[0])));
}

/** Waits (bounded) until the informer's cache equals the server's list, then asserts it does. */
async function assertConverged(informer: Informer, namespace: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let want: Record<string, string> = {};
  while (Date.now() < deadline) {
    want = snapshot((await writer.list(RESOURCES.pods, { namespace })).items);
    if (informer.hasSynced() && JSON.stringify(snapshot(informer.list())) === JSON.stringify(want)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.deepEqual(snapshot(informer.list()), want, 'informer cache equals the server list');
}

describe('reflector against the local API server', () => {
  it('lists in pages, keeps timestamps as strings and follows writes', async () => {
    await writer.create(RESOURCES.namespaces, { metadata: { name: 'pages' } });
    await write('pages', 0, 12);
    const { informer, lists, stop } = await setup('pages', { pageSize: 5 });
    try {
      await assertConverged(informer, 'pages');
      assert.equal(lists.length, 2, '8 pods in pages of 5 take two list calls');
      await write('pages', 12, 20);
      await assertConverged(informer, 'pages');
      for (const obj of informer.list()) assert.equal(typeof obj.metadata.creationTimestamp, 'string');
    } finally {
      await stop();
    }
  });

  it('loses nothing when every watch is dropped mid-stream, resuming without a relist', async () => {
    const { informer, namespace, lists, stop } = await setup('dropped');
    try {
      await write(namespace, 0, 10);
      assert.ok(server.faults.dropWatches() >= 1);
      await write(namespace, 10, 20);
      server.faults.dropWatches();
      await write(namespace, 20, 25);
      await assertConverged(informer, namespace);
      assert.equal(lists.length, 1, 'a dropped watch resumes from its last resourceVersion');
    } finally {
      await stop();
    }
  });

  it('relists after compaction (410), synthesising deletes it missed, with hasSynced down during the relist', async () => {
    const { informer, namespace, lists, deleted, stop } = await setup('compacted');
    try {
      await write(namespace, 0, 6);
      await assertConverged(informer, namespace);
      // Keep the watch away (its reconnects fail), write meanwhile, forget the history it would resume from.
      server.faults.failNext(10_000, { status: 500, method: 'GET', pathPrefix: `/api/v1/namespaces/${namespace}/pods` });
      server.faults.dropWatches();
      await writer.delete(RESOURCES.pods, 'p1', { namespace });
      await write(namespace, 6, 9);
      server.faults.compactHistory();
      server.faults.reset();
      await assertConverged(informer, namespace);
      assert.ok(lists.length >= 2, `relisted (lists: ${lists.length})`);
      assert.equal(lists.at(-1)?.syncedAtCall, false, 'hasSynced was false while relisting');
      assert.ok(deleted.includes('p1'));
      assert.equal(informer.hasSynced(), true);
    } finally {
      await stop();
    }
  });

  it('rides out 500s on list and watch', async () => {
    const { informer, namespace, stop } = await setup('errors');
    try {
      server.faults.failNext(4, { status: 500, method: 'GET', pathPrefix: `/api/v1/namespaces/${namespace}/pods` });
      server.faults.dropWatches();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await write(namespace, 0, 8);
      await assertConverged(informer, namespace);
      assert.equal(informer.hasSynced(), true);
    } finally {
      server.faults.reset();
      await stop();
    }
  });

  it('honours 429 Retry-After on the initial list', async () => {
    await writer.create(RESOURCES.namespaces, { metadata: { name: 'throttled' } });
    await write('throttled', 0, 4);
    server.faults.failNext(1, { status: 429, retryAfterSeconds: 1, method: 'GET', pathPrefix: '/api/v1/namespaces/throttled-view/pods' });
    const started = Date.now();
    const { informer, stop } = await setup('throttled-view');
    try {
      assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
      assert.equal(informer.hasSynced(), true);
    } finally {
      server.faults.reset();
      await stop();
    }
  });

  it('reconnects after the server refuses connections for a while, keeping hasSynced', async () => {
    const { informer, namespace, stop } = await setup('refused');
    try {
      await write(namespace, 0, 5);
      await server.faults.refuseConnections(700);
      assert.equal(informer.hasSynced(), true, 'an outage does not unsync a consistent cache');
      await write(namespace, 5, 10);
      await assertConverged(informer, namespace);
    } finally {
      await stop();
    }
  });

  it('reconnects a watch that went silent past the inactivity timeout', async () => {
    const quiet = await startApiServer({ bookmarkIntervalMs: 0 });
    const client = clientFor(quiet.url);
    const informer = createInformer({ client, resource: RESOURCES.namespaces, logger: silentLogger(), reflector: { backoff: FAST_BACKOFF, inactivityTimeoutMs: 300 } });
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    try {
      assert.equal(await informer.waitForSync(AbortSignal.timeout(5000)), true);
      const before = quiet.stats().watches;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.ok(quiet.stats().watches - before >= 2, `re-watched after silence (${quiet.stats().watches - before})`);
      await client.create(RESOURCES.namespaces, { metadata: { name: 'late' } });
      const deadline = Date.now() + 3000;
      while (informer.get('late') === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.notEqual(informer.get('late'), undefined);
    } finally {
      abort.abort();
      await running;
      await quiet.close();
    }
  });
});
