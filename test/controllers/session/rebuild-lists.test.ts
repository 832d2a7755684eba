import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listedInTerm, listReduced, REBUILD_PAGE } from '../../../src/controllers/session/rebuild.js';
import { POD_FIELDS, slimPod } from '../../../src/controllers/pod/rules.js';
import type { Pod } from '../../../src/controllers/pod/rules.js';
import { RESOURCES } from '../../../src/kube/index.js';
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

  it('reads a cache only when its list began after the term\'s mark and it is still current', () => {
    const cache = (replacedBy: number, synced: boolean) => ({ replacedByList: () => replacedBy, hasSynced: () => synced });
    assert.equal(listedInTerm(cache(2, true), 1), true, 'listed inside the term');
    assert.equal(listedInTerm(cache(1, true), 1), false, 'the list that was running or done when the term began');
    assert.equal(listedInTerm(cache(0, true), 0), false, 'never listed');
    assert.equal(listedInTerm(cache(2, false), 1), false, 'invalidated by a 410 since: it missed events until its relist');
  });
});
