// Issue 14 (start -> Ready): a first leader's informers list inside its term, so its IPAM rebuild
// reads those caches instead of listing every pod a second time; a standby whose caches were
// filled before its term lists again at the takeover (the cache may lag the last leader's writes).
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../../src/kube/index.js';
import type { KubeClient, Resource } from '../../src/kube/index.js';
import { podObject } from '../support/objects.js';
import { allocatedPod, annotations, createNamespace, managerReady, runManager, startEnv, testConfig, until } from './support.js';
import type { Env, RunningManager } from './support.js';

let env: Env;
const running: RunningManager[] = [];

beforeEach(async () => {
  env = await startEnv();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
  await env.close();
});

/** A manager whose client counts its list requests by resource plural. */
function start(identity: string) {
  const client = env.newClient();
  const lists = new Map<string, number>();
  const counting: KubeClient = {
    ...client,
    list: (resource: Resource, options, map) => {
      lists.set(resource.plural, (lists.get(resource.plural) ?? 0) + 1);
      return client.list(resource, options, map);
    },
  };
  const m = runManager(env, { config: testConfig({}, identity), client: counting });
  running.push(m);
  return { lists, ready: () => managerReady(m, `${identity} ready`), stop: () => m.stop() };
}

async function allocated(names: string[]): Promise<string[]> {
  return Promise.all(names.map(async (n) => annotations(await allocatedPod(env.client, 'rs', n))['ovn.kubernetes.io/ip_address'] ?? ''));
}

describe('IPAM rebuild source', () => {
  it('a first leader rebuilds from the caches it listed inside its term: every kind listed once, addresses restored', async () => {
    await createNamespace(env.client, 'rs');
    const a = start('replica-a');
    await a.ready();
    await Promise.all(['p0', 'p1', 'p2'].map((n) => env.client.create(RESOURCES.pods, podObject('rs', n))));
    const held = await allocated(['p0', 'p1', 'p2']);
    await a.stop();

    const b = start('replica-b');
    await b.ready();
    assert.deepEqual([b.lists.get('pods'), b.lists.get('ips'), b.lists.get('subnets')], [1, 1, 1], 'one list per kind: the informers\' own');
    await env.client.create(RESOURCES.pods, podObject('rs', 'p3'));
    const [fresh] = await allocated(['p3']);
    assert.ok(fresh !== undefined && fresh !== '' && !held.includes(fresh), `p3 got ${fresh}, not one of the restored ${held.join(', ')}`);
  });

  it('a standby that takes over lists pods, IPs and subnets again: its caches predate its term', async () => {
    await createNamespace(env.client, 'rs');
    const a = start('replica-a');
    await a.ready();
    const b = start('replica-b');
    await b.ready();
    assert.equal(b.lists.get('pods'), 1, 'the standby\'s informer list');
    await Promise.all(['p0', 'p1'].map((n) => env.client.create(RESOURCES.pods, podObject('rs', n))));
    const held = await allocated(['p0', 'p1']);
    await a.stop();
    await until(() => (b.lists.get('pods') ?? 0) >= 2 && (b.lists.get('ips') ?? 0) >= 2 && (b.lists.get('subnets') ?? 0) >= 2, 'the new leader\'s rebuild lists');
    await env.client.create(RESOURCES.pods, podObject('rs', 'p2'));
    const [fresh] = await allocated(['p2']);
    assert.ok(fresh !== undefined && fresh !== '' && !held.includes(fresh), `p2 got ${fresh}, not one of ${held.join(', ')}`);
  });
});
