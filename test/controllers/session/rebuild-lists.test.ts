import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listedInTerm, listForRebuild, listReduced, REBUILD_PAGE } from '../../../src/controllers/session/rebuild.js';
import { createSystemClock } from '../../../src/clock/index.js';
import { createLogger } from '../../../src/log/index.js';
import { POD_FIELDS, slimPod } from '../../../src/controllers/pod/rules.js';
import type { Pod } from '../../../src/controllers/pod/rules.js';
import { ApiError, RESOURCES } from '../../../src/kube/index.js';
import type { KubeClient, ListOptions } from '../../../src/kube/index.js';

function fullPod(name: string, rv: string): Pod {
  return {
    metadata: { name, namespace: 'ns', uid: `u-${name}`, resourceVersion: rv, annotations: { 'ovn.kubernetes.io/allocated': 'true', 'sidecar.istio.io/status': 'x'.repeat(100) }, managedFields: [{ manager: 'kubelet' }] },
    spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready' }] },
  };
}

describe('rebuild lists', () => {
  it('lists in pages of 500, shares objects the cache holds at the listed version and slims the others', async () => {
    const pods = Array.from({ length: 1203 }, (_, i) => fullPod(`p${i}`, String(100 + i)));
    const calls: ListOptions[] = [];
    const client = {
      list: async (_resource: unknown, o: ListOptions = {}, map: (p: Pod) => Pod = (p) => p) => {
        calls.push(o);
        const from = o.continue === undefined ? 0 : Number(o.continue);
        const to = Math.min(pods.length, from + (o.limit ?? pods.length));
        return { items: pods.slice(from, to).map(map), resourceVersion: '999', ...(to < pods.length ? { continue: String(to) } : {}) };
      },
    } as unknown as KubeClient;
    // The cache holds p0 at the listed version and p1 at an older one.
    const cached = new Map<string, Pod>([
      ['ns/p0', slimPod(fullPod('p0', '100'))],
      ['ns/p1', slimPod(fullPod('p1', '50'))],
    ]);
    const items = await listReduced<Pod>({ client }, { resource: RESOURCES.pods, cache: { get: (k) => cached.get(k), transform: slimPod, fields: POD_FIELDS } }, new AbortController().signal);
    assert.equal(REBUILD_PAGE, 500);
    assert.deepEqual(calls.map((c) => [c.limit, c.continue, c.resourceVersion]), [[500, undefined, undefined], [500, '500', undefined], [500, '1000', undefined]], 'quorum reads (no resourceVersion), 500 per page');
    assert.ok(calls.every((c) => c.fields === POD_FIELDS), 'each page decodes only the fields the slim form reads');
    assert.equal(items.length, 1203);
    assert.equal(items[0], cached.get('ns/p0'), 'the cached object at the same resourceVersion is shared, not copied');
    assert.notEqual(items[1], cached.get('ns/p1'));
    assert.equal(items[1]?.metadata.resourceVersion, '101', 'a version newer than the cache comes from the list');
    for (const p of items) {
      assert.equal(p.metadata['managedFields'], undefined);
      assert.deepEqual(p.metadata.annotations, { 'ovn.kubernetes.io/allocated': 'true' });
      assert.deepEqual(Object.keys(p.spec ?? {}).sort(), ['hostNetwork', 'nodeName', 'restartPolicy']);
    }
  });

  it('retries a failed list alone: an expired pod list starts over, the finished IP list is not read again', async () => {
    const pods = Array.from({ length: 1203 }, (_, i) => fullPod(`p${i}`, String(100 + i)));
    const ips = Array.from({ length: 700 }, (_, i) => ({ metadata: { name: `p${i}.ns`, resourceVersion: String(i + 1) }, spec: { podName: `p${i}`, namespace: 'ns', subnet: 'net', ipAddress: `10.0.${i >> 8}.${i & 255}` } }));
    const calls: Array<[string, string | undefined]> = [];
    let expireOnce = true;
    const client = {
      list: async (resource: { plural: string }, o: ListOptions = {}, map: (x: unknown) => unknown = (x) => x) => {
        calls.push([resource.plural, o.continue]);
        const all: unknown[] = resource.plural === 'pods' ? pods : resource.plural === 'ips' ? ips : [];
        if (resource.plural === 'pods' && o.continue === '1000' && expireOnce) {
          expireOnce = false;
          throw new ApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.');
        }
        const from = o.continue === undefined ? 0 : Number(o.continue);
        const to = Math.min(all.length, from + (o.limit ?? all.length));
        return { items: all.slice(from, to).map(map), resourceVersion: '999', ...(to < all.length ? { continue: String(to) } : {}) };
      },
    } as unknown as KubeClient;
    const cache = { get: () => undefined, transform: (x: never) => x, fields: undefined, replacedByList: () => 0, hasSynced: () => true, list: () => [] };
    const caches = { subnets: cache, ips: cache, pods: { ...cache, transform: slimPod, fields: POD_FIELDS } };
    const warnings: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void warnings.push(line) } });
    const lists = await listForRebuild({ client, clock: createSystemClock(), logger, caches } as never, { subnets: 0, ips: 0, pods: 0 }, new AbortController().signal);
    assert.deepEqual([lists?.pods.length, lists?.ips.length, lists?.subnets.length, lists?.fromCache], [1203, 700, 0, []]);
    assert.deepEqual(calls.filter(([r]) => r === 'ips').map(([, c]) => c), [undefined, '500'], 'the IP list ran once');
    assert.deepEqual(calls.filter(([r]) => r === 'pods').map(([, c]) => c), [undefined, '500', '1000', undefined, '500', '1000'], 'the pod list started over from its first page');
    assert.equal(warnings.length, 1);
    const warning = JSON.parse(warnings[0] ?? '{}') as { msg?: string; err?: string };
    assert.equal(warning.msg, 'IPAM rebuild list failed; retrying', 'the line the controller bench counts');
    assert.match(warning.err ?? '', /continue parameter is too old/);
  });

  it('reads a cache only when its list began after the term\'s mark and it is still current', () => {
    const cache = (replacedBy: number, synced: boolean) => ({ replacedByList: () => replacedBy, hasSynced: () => synced });
    assert.equal(listedInTerm(cache(2, true), 1), true, 'listed inside the term');
    assert.equal(listedInTerm(cache(1, true), 1), false, 'the list that was running or done when the term began');
    assert.equal(listedInTerm(cache(0, true), 0), false, 'never listed');
    assert.equal(listedInTerm(cache(2, false), 1), false, 'invalidated by a 410 since: it missed events until its relist');
  });
});
