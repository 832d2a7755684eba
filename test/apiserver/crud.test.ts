import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { IP_CRD, SUBNET_CRD, pod, setup } from './helpers.js';

const PODS = '/api/v1/namespaces/default/pods';
const SUBNETS = '/apis/kubeovn.io/v1/subnets';
const MERGE = 'application/merge-patch+json';

function meta(obj: Record<string, unknown>): Record<string, unknown> {
  return obj['metadata'] as Record<string, unknown>;
}

describe('errors as Status envelopes', () => {
  it('answers each failure with the real reason, code and message', async () => {
    const h = await setup();
    try {
      await h.call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', SUBNET_CRD);
      await h.call('POST', PODS, pod('p1'));
      await h.call('POST', SUBNETS, { apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name: 's1' }, spec: {} });
      const cases: Array<[string, string, string, unknown, string | undefined, number, string, string]> = [
        ['missing pod', 'GET', `${PODS}/nope`, undefined, undefined, 404, 'NotFound', 'pods "nope" not found'],
        ['duplicate pod', 'POST', PODS, pod('p1'), undefined, 409, 'AlreadyExists', 'pods "p1" already exists'],
        ['duplicate subnet', 'POST', SUBNETS, { metadata: { name: 's1' } }, undefined, 409, 'AlreadyExists', 'subnets.kubeovn.io "s1" already exists'],
        ['stale pod PUT', 'PUT', `${PODS}/p1`, { ...pod('p1'), metadata: { name: 'p1', resourceVersion: '1' } }, undefined, 409, 'Conflict',
          'Operation cannot be fulfilled on pods "p1": the object has been modified; please apply your changes to the latest version and try again'],
        ['stale subnet patch', 'PATCH', `${SUBNETS}/s1`, { metadata: { resourceVersion: '1' } }, MERGE, 409, 'Conflict',
          'Operation cannot be fulfilled on subnets.kubeovn.io "s1": the object has been modified; please apply your changes to the latest version and try again'],
        ['unconditional CR PUT', 'PUT', `${SUBNETS}/s1`, { metadata: { name: 's1' }, spec: {} }, undefined, 422, 'Invalid',
          'Subnet.kubeovn.io "s1" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update'],
        ['strategic patch on CR', 'PATCH', `${SUBNETS}/s1`, { spec: {} }, 'application/strategic-merge-patch+json', 415, 'UnsupportedMediaType',
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml'],
        ['bad label selector', 'GET', `${PODS}?labelSelector=${encodeURIComponent('a in (x')}`, undefined, undefined, 400, 'BadRequest', ''],
        ['unsupported field label', 'GET', `${PODS}?fieldSelector=spec.foo%3Dx`, undefined, undefined, 400, 'BadRequest', 'field label not supported: spec.foo'],
        ['CR field label', 'GET', `${SUBNETS}?fieldSelector=spec.cidrBlock%3Dx`, undefined, undefined, 400, 'BadRequest', 'field label not supported: spec.cidrBlock'],
        ['malformed json patch', 'PATCH', `${PODS}/p1`, '{"op":', 'application/json-patch+json', 400, 'BadRequest', ''],
        ['malformed continue', 'GET', `${PODS}?limit=1&continue=garbage`, undefined, undefined, 400, 'BadRequest', ''],
      ];
      for (const [what, method, path, body, type, code, reason, message] of cases) {
        const res = await h.call(method, path, body, type);
        assert.equal(res.status, code, what);
        assert.equal(res.headers.get('content-type'), 'application/json', what);
        assert.equal(res.json['kind'], 'Status', what);
        assert.equal(res.json['code'], code, what);
        assert.equal(res.json['reason'], reason, what);
        if (message !== '') assert.equal(res.json['message'], message, what);
      }
    } finally {
      await h.close();
    }
  });

  it('rejects a Lease or Event MicroTime without exactly six fractional digits as kube-apiserver decoding does', async () => {
    const h = await setup();
    try {
      const path = '/apis/coordination.k8s.io/v1/namespaces/default/leases';
      const lease = (t: string): unknown => ({ metadata: { name: 'l' }, spec: { holderIdentity: 'a', acquireTime: t, renewTime: t, leaseDurationSeconds: 15 } });
      const bad = await h.call('POST', path, lease('2026-01-02T03:04:05.123Z'));
      assert.equal(bad.status, 400);
      assert.equal(bad.json['reason'], 'BadRequest');
      assert.match(String(bad.json['message']), /cannot parse "\.123Z" as "\.000000"/);
      assert.equal((await h.call('POST', path, lease('2026-01-02T03:04:05.123456Z'))).status, 201);
      const events = '/apis/events.k8s.io/v1/namespaces/default/events';
      const event = (t: string): unknown => ({ metadata: { name: 'e' }, eventTime: t, reportingController: 'c', reportingInstance: 'i', action: 'A', reason: 'R', type: 'Normal', regarding: { kind: 'Pod', name: 'p' } });
      assert.match(String((await h.call('POST', events, event('2026-01-02T03:04:05Z'))).json['message']), /^Event in version "v1" cannot be handled as a Event/);
      assert.equal((await h.call('POST', events, event('2026-01-02T03:04:05.000001Z'))).status, 201);
    } finally {
      await h.close();
    }
  });
});

describe('object lifecycle', () => {
  it('stamps uid, second-precision creationTimestamp and a generated name; pods start Pending', async () => {
    const h = await setup();
    try {
      const res = await h.call('POST', PODS, { metadata: { generateName: 'web-' }, spec: { containers: [{ name: 'c', image: 'i' }] } });
      assert.equal(res.status, 201);
      const m = meta(res.json);
      assert.match(String(m['name']), /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.match(String(m['uid']), /^[0-9a-f-]{36}$/);
      assert.match(String(m['creationTimestamp']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(m['generation'], undefined, 'v1.32 pods carry no generation');
      assert.equal((res.json['status'] as Record<string, unknown>)['phase'], 'Pending');
    } finally {
      await h.close();
    }
  });

  it('validates and answers but stores nothing for dryRun writes', async () => {
    const h = await setup();
    try {
      const rv = h.server.resourceVersion();
      const res = await h.call('POST', `${PODS}?dryRun=All`, pod('dry'));
      assert.equal(res.status, 201);
      assert.equal(meta(res.json)['name'], 'dry');
      assert.equal((await h.call('GET', `${PODS}/dry`)).status, 404);
      assert.equal((await h.call('POST', `${PODS}?dryRun=All`, { metadata: { name: 'x' }, spec: {} })).status, 422);
      assert.equal(h.server.resourceVersion(), rv);
    } finally {
      await h.close();
    }
  });

  it('defaults namespaces and cascades their deletion', async () => {
    const h = await setup();
    try {
      const ns = await h.call('POST', '/api/v1/namespaces', { metadata: { name: 'team' } });
      assert.deepEqual(ns.json['spec'], { finalizers: ['kubernetes'] });
      assert.deepEqual(ns.json['status'], { phase: 'Active' });
      assert.equal((meta(ns.json)['labels'] as Record<string, string>)['kubernetes.io/metadata.name'], 'team');
      await h.call('POST', '/api/v1/namespaces/team/pods', pod('p'));
      await h.call('DELETE', '/api/v1/namespaces/team');
      assert.equal((await h.call('GET', '/api/v1/namespaces/team/pods/p')).status, 404);
      assert.equal((await h.call('GET', '/api/v1/namespaces/team')).status, 404);
      assert.equal((await h.call('POST', '/api/v1/namespaces/gone/pods', pod('p'))).json['message'], 'namespaces "gone" not found');
    } finally {
      await h.close();
    }
  });

  it('keeps the RV on a no-op patch and bumps generation only on spec changes', async () => {
    const h = await setup();
    try {
      await h.call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', SUBNET_CRD);
      const s = await h.call('POST', SUBNETS, { metadata: { name: 's1' }, spec: { cidrBlock: '10.0.0.0/24' }, status: { ignored: true } });
      assert.equal(s.json['status'], undefined, 'status is dropped on create when the subresource exists');
      const rv = meta(s.json)['resourceVersion'];
      const same = await h.call('PATCH', `${SUBNETS}/s1`, { spec: { cidrBlock: '10.0.0.0/24' } }, MERGE);
      assert.equal(meta(same.json)['resourceVersion'], rv);
      const labeled = await h.call('PATCH', `${SUBNETS}/s1`, { metadata: { labels: { a: 'b' } } }, MERGE);
      assert.equal(meta(labeled.json)['generation'], 1);
      const st = await h.call('PATCH', `${SUBNETS}/s1/status`, { status: { v4availableIPs: 3 }, spec: { cidrBlock: 'x' } }, MERGE);
      assert.deepEqual(st.json['status'], { v4availableIPs: 3 });
      assert.deepEqual(st.json['spec'], { cidrBlock: '10.0.0.0/24' }, 'a status write ignores spec');
      assert.equal(meta(st.json)['generation'], 1);
      const main = await h.call('PATCH', `${SUBNETS}/s1`, { spec: { cidrBlock: '10.1.0.0/24' }, status: { v4availableIPs: 9 } }, MERGE);
      assert.equal(meta(main.json)['generation'], 2);
      assert.deepEqual(main.json['status'], { v4availableIPs: 3 }, 'a main write ignores status');
    } finally {
      await h.close();
    }
  });

  it('holds an object with finalizers in deletion until the last finalizer is removed', async () => {
    const h = await setup();
    try {
      await h.call('POST', PODS, pod('p', { finalizers: ['a/x', 'a/y'], nodeName: 'n1' }));
      const del = await h.call('DELETE', `${PODS}/p`);
      assert.equal(del.status, 200);
      assert.match(String(meta(del.json)['deletionTimestamp']), /Z$/);
      const added = await h.call('PATCH', `${PODS}/p`, { metadata: { finalizers: ['a/x', 'a/y', 'a/z'] } }, MERGE);
      assert.equal(added.status, 422, 'no new finalizers once deleting');
      await h.call('PATCH', `${PODS}/p`, [{ op: 'remove', path: '/metadata/finalizers/0' }], 'application/json-patch+json');
      assert.equal((await h.call('GET', `${PODS}/p`)).status, 200);
      await h.call('PATCH', `${PODS}/p`, { metadata: { finalizers: null } }, MERGE);
      assert.equal((await h.call('GET', `${PODS}/p`)).status, 404);
    } finally {
      await h.close();
    }
  });

  it('merges containers by name and unions finalizers in a strategic merge patch', async () => {
    const h = await setup();
    try {
      await h.call('POST', PODS, { ...pod('p', { finalizers: ['a'] }), spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'A', value: '1' }] }, { name: 'd', image: 'j' }] } });
      const res = await h.call('PATCH', `${PODS}/p`, { metadata: { finalizers: ['b'] }, spec: { containers: [{ name: 'c', env: [{ name: 'B', value: '2' }] }, { name: 'd', $patch: 'delete' }] } }, 'application/strategic-merge-patch+json');
      assert.deepEqual(meta(res.json)['finalizers'], ['a', 'b']);
      // `resources: {}`: a non-pointer struct of core/v1 Container, always written by kube-apiserver.
      assert.deepEqual((res.json['spec'] as Record<string, unknown>)['containers'], [{ name: 'c', image: 'i', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], resources: {} }]);
    } finally {
      await h.close();
    }
  });

  it('serves a namespaced CRD and removes its objects when the CRD is deleted', async () => {
    const h = await setup();
    try {
      assert.equal((await h.call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', IP_CRD)).status, 201);
      const ips = '/apis/kubeovn.io/v1/namespaces/default/ips';
      const ip = await h.call('POST', ips, { apiVersion: 'kubeovn.io/v1', kind: 'IP', metadata: { name: 'i1' } });
      assert.equal(meta(ip.json)['namespace'], 'default');
      const list = await h.call('GET', '/apis/kubeovn.io/v1/ips');
      assert.equal(list.json['kind'], 'IPList');
      assert.equal((list.json['items'] as Array<Record<string, unknown>>)[0]?.['kind'], 'IP', 'custom resource list items keep kind');
      const discovery = await h.call('GET', '/apis/kubeovn.io/v1');
      assert.deepEqual((discovery.json['resources'] as Array<Record<string, unknown>>).map((r) => r['name']), ['ips', 'ips/status']);
      await h.call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/ips.kubeovn.io');
      assert.equal((await h.call('GET', `${ips}/i1`)).status, 404);
    } finally {
      await h.close();
    }
  });
});

describe('lists', () => {
  it('pages with limit/continue in key order and expires tokens after compaction', async () => {
    const h = await setup();
    try {
      for (const name of ['c', 'a', 'e', 'b', 'd']) await h.call('POST', PODS, pod(name));
      const names: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const res = await h.call('GET', `${PODS}?limit=2${token === undefined ? '' : `&continue=${token}`}`);
        assert.equal(res.json['kind'], 'PodList');
        const items = res.json['items'] as Array<Record<string, unknown>>;
        assert.equal(items[0]?.['kind'], undefined, 'built-in list items carry no kind');
        names.push(...items.map((i) => String(meta(i)['name'])));
        token = meta(res.json)['continue'] as string | undefined;
        if (pages === 0) assert.equal(meta(res.json)['remainingItemCount'], 3);
        pages++;
      } while (token !== undefined);
      assert.deepEqual(names, ['a', 'b', 'c', 'd', 'e']);
      const first = await h.call('GET', `${PODS}?limit=2`);
      await h.call('POST', PODS, pod('f'));
      h.server.faults.compactHistory();
      const stale = await h.call('GET', `${PODS}?limit=2&continue=${String(meta(first.json)['continue'])}`);
      assert.equal(stale.status, 410);
      assert.equal(stale.json['reason'], 'Expired');
    } finally {
      await h.close();
    }
  });

  it('serves list items byte for byte as their GETs, non-ASCII included, for built-ins and custom resources', async () => {
    const h = await setup();
    try {
      await h.call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', SUBNET_CRD);
      const note = 'é日😀"\\';
      for (const name of ['p1', 'p2']) await h.call('POST', PODS, { ...pod(name), metadata: { name, annotations: { note: `${name} ${note}` } } });
      for (const name of ['s1', 's2']) await h.call('POST', SUBNETS, { apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name, annotations: { note } }, spec: {} });
      for (const [path, kind, builtin] of [[PODS, 'PodList', true], [SUBNETS, 'SubnetList', false]] as const) {
        // Twice: the second list is served from the per-object bytes the first one cached.
        for (let round = 0; round < 2; round++) {
          const list = await h.call('GET', path);
          assert.equal(list.status, 200);
          assert.equal(list.json['kind'], kind);
          const items = list.json['items'] as Array<Record<string, unknown>>;
          assert.equal(items.length, 2);
          for (const item of items) {
            const one = (await h.call('GET', `${path}/${String(meta(item)['name'])}`)).json;
            const { kind: _k, apiVersion: _a, ...bare } = one;
            assert.deepEqual(item, builtin ? bare : one);
            assert.match(String((meta(item)['annotations'] as Record<string, unknown>)['note']), /é日😀"\\/);
          }
        }
      }
    } finally {
      await h.close();
    }
  });

  it('filters with set-based label selectors and pod field selectors', async () => {
    const h = await setup();
    try {
      await h.call('POST', PODS, pod('a', { labels: { tier: 'web', env: 'prod' }, nodeName: 'n1' }));
      await h.call('POST', PODS, pod('b', { labels: { tier: 'db' } }));
      await h.call('POST', PODS, pod('c', { labels: { tier: 'cache', env: 'dev' }, nodeName: 'n1' }));
      const names = async (q: string): Promise<string[]> =>
        ((await h.call('GET', `/api/v1/pods?${q}`)).json['items'] as Array<Record<string, unknown>>).map((i) => String(meta(i)['name']));
      const sel = (s: string): string => `labelSelector=${encodeURIComponent(s)}`;
      assert.deepEqual(await names(sel('tier in (web,db)')), ['a', 'b']);
      assert.deepEqual(await names(sel('tier notin (web),env')), ['c']);
      assert.deepEqual(await names(sel('!env')), ['b']);
      assert.deepEqual(await names(sel('env!=prod')), ['b', 'c']);
      assert.deepEqual(await names(sel('tier==db')), ['b']);
      assert.deepEqual(await names('fieldSelector=spec.nodeName%3Dn1,metadata.name!%3Da'), ['c']);
      assert.deepEqual(await names('fieldSelector=status.phase%3DPending&limit=1'), ['a']);
    } finally {
      await h.close();
    }
  });
});
