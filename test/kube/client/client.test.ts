import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { getEventListeners } from 'node:events';
import { createKubeClient, requestDeadline, isAlreadyExists, isConflict, RESOURCES, retryOnConflict, ApiError } from '../../../src/kube/client/index.js';
import { collectPoints, createInstantClock, createScriptedTransport, createTestInstruments, silentLogger, statusBody } from './fakes.js';
import type { Scripted } from './fakes.js';

function setup(script: Scripted[]) {
  const transport = createScriptedTransport(script);
  const clock = createInstantClock();
  const { instruments, reader } = createTestInstruments();
  const client = createKubeClient({ kubeconfig: new KubeConfig(), transport, clock, instruments, logger: silentLogger(), random: () => 0 });
  return { client, transport, clock, reader };
}

const pod = (rv = '5') => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', namespace: 'default', resourceVersion: rv } });
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });

describe('createKubeClient requests', () => {
  it('sends a merge patch with the merge-patch content type to the status subresource', async () => {
    const { client, transport } = setup([{ status: 200, body: pod() }]);
    await client.mergePatch(RESOURCES.subnets, 's1', { status: { v4availableIPs: 3 } }, { subresource: 'status' });
    const request = transport.requests[0];
    assert.equal(request?.method, 'PATCH');
    assert.equal(request?.path, '/apis/kubeovn.io/v1/subnets/s1/status');
    assert.equal(request?.headers?.['Content-Type'], 'application/merge-patch+json');
    assert.deepEqual(JSON.parse(request?.body ?? ''), { status: { v4availableIPs: 3 } });
  });

  it('builds list queries with selectors, limit and continue, and fills kind on built-in items', async () => {
    const list = JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: '9', continue: 'abc' }, items: [{ metadata: { name: 'p1', namespace: 'ns' } }] });
    const { client, transport } = setup([{ status: 200, body: list }]);
    const page = await client.list(RESOURCES.pods, { namespace: 'ns', labelSelector: 'a=b', fieldSelector: 'spec.nodeName=n1', limit: 500, continue: 'x' });
    assert.equal(transport.requests[0]?.path, '/api/v1/namespaces/ns/pods?labelSelector=a%3Db&fieldSelector=spec.nodeName%3Dn1&limit=500&continue=x');
    assert.deepEqual(page, { items: [{ metadata: { name: 'p1', namespace: 'ns' }, kind: 'Pod', apiVersion: 'v1' }], resourceVersion: '9', continue: 'abc' });
  });

  it('decodes only the fields asked for, before the map sees an item', async () => {
    const list = JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: '9' }, items: [{ metadata: { name: 'p1', namespace: 'ns', managedFields: [{ manager: 'kubelet' }] }, spec: { nodeName: 'n1', containers: [{ name: 'c' }] } }] });
    const { client } = setup([{ status: 200, body: list }]);
    const seen: unknown[] = [];
    const page = await client.list(RESOURCES.pods, { fields: { metadata: { name: true, namespace: true }, spec: { nodeName: true } } }, (item) => (seen.push(structuredClone(item)), item));
    const want = { metadata: { name: 'p1', namespace: 'ns' }, spec: { nodeName: 'n1' }, kind: 'Pod', apiVersion: 'v1' };
    assert.deepEqual(seen, [want]);
    assert.deepEqual(page.items, [want]);
  });

  it('adds apiVersion and kind on create and PUTs replace to the object path', async () => {
    const { client, transport } = setup([{ status: 201, body: pod() }, { status: 200, body: pod('6') }]);
    await client.create(RESOURCES.ips, { metadata: { name: 'p1.default' }, spec: { subnet: 's1' } });
    await client.replace(RESOURCES.pods, { metadata: { name: 'p1', namespace: 'default', resourceVersion: '5' } });
    assert.equal(transport.requests[0]?.path, '/apis/kubeovn.io/v1/ips');
    assert.equal(JSON.parse(transport.requests[0]?.body ?? '').kind, 'IP');
    assert.equal(JSON.parse(transport.requests[0]?.body ?? '').apiVersion, 'kubeovn.io/v1');
    assert.equal(transport.requests[1]?.method, 'PUT');
    assert.equal(transport.requests[1]?.path, '/api/v1/namespaces/default/pods/p1');
  });

  it('surfaces Conflict and AlreadyExists as typed errors', async () => {
    const { client } = setup([
      { status: 409, body: statusBody(409, 'Conflict', 'the object has been modified') },
      { status: 409, body: statusBody(409, 'AlreadyExists', 'pods "p1" already exists') },
    ]);
    await assert.rejects(client.replace(RESOURCES.pods, { metadata: { name: 'p1', namespace: 'default' } }), (err) => isConflict(err));
    await assert.rejects(client.create(RESOURCES.pods, { metadata: { name: 'p1', namespace: 'default' } }), (err) => isAlreadyExists(err));
  });
});

describe('createKubeClient retries', () => {
  it('retries a read on 5xx and transport errors with backoff, then succeeds', async () => {
    const { client, transport, clock } = setup([{ status: 500, body: statusBody(500, 'InternalError', 'boom') }, { error: refused() }, { status: 200, body: pod() }]);
    const got = await client.get(RESOURCES.pods, 'p1', { namespace: 'default' });
    assert.equal(got.metadata.name, 'p1');
    assert.equal(transport.requests.length, 3);
    assert.deepEqual(clock.delays, [200, 400]);
  });

  it('waits the Retry-After of a 429, for writes too', async () => {
    const { client, transport, clock } = setup([{ status: 429, body: statusBody(429, 'TooManyRequests', 'slow'), headers: { 'Retry-After': '3' } }, { status: 201, body: pod() }]);
    await client.create(RESOURCES.pods, { metadata: { name: 'p1', namespace: 'default' } });
    assert.equal(transport.requests.length, 2);
    assert.deepEqual(clock.delays, [3000]);
  });

  it('does not retry a write on 5xx or a transport error', async () => {
    const { client, transport } = setup([{ status: 503, body: '' }, { error: refused() }]);
    await assert.rejects(client.mergePatch(RESOURCES.pods, 'p1', {}, { namespace: 'default' }), (err) => err instanceof ApiError && err.code === 503);
    await assert.rejects(client.delete(RESOURCES.pods, 'p1', { namespace: 'default' }), /ECONNREFUSED/);
    assert.equal(transport.requests.length, 2);
  });

  it('gives up a read after the bounded number of retries', async () => {
    const script: Scripted[] = Array.from({ length: 6 }, () => ({ status: 500, body: statusBody(500, 'InternalError', 'boom') }));
    const { client, transport } = setup(script);
    await assert.rejects(client.list(RESOURCES.pods), (err) => err instanceof ApiError && err.code === 500);
    assert.equal(transport.requests.length, 6);
  });
});

describe('rest client metrics', () => {
  it('counts requests by code, method and host, with <error> for transport failures', async () => {
    const { client, reader } = setup([{ error: refused() }, { status: 200, body: pod() }, { status: 404, body: statusBody(404, 'NotFound', 'nope') }]);
    await client.get(RESOURCES.pods, 'p1', { namespace: 'default' });
    await assert.rejects(client.get(RESOURCES.pods, 'p2', { namespace: 'default' }));
    const points = await collectPoints(reader, 'rest_client_requests_total');
    const byCode = Object.fromEntries(points.map((p) => [String(p.attributes['code']), p]));
    assert.deepEqual(Object.keys(byCode).sort(), ['200', '404', '<error>']);
    assert.deepEqual(byCode['<error>']?.attributes, { code: '<error>', method: 'GET', host: 'apiserver.test:6443' });
    assert.equal(byCode['200']?.value, 1);
  });

  it('records request duration by verb and host in seconds', async () => {
    const { client, reader } = setup([{ status: 201, body: pod() }]);
    await client.create(RESOURCES.pods, { metadata: { name: 'p1', namespace: 'default' } });
    const points = await collectPoints(reader, 'rest_client_request_duration_seconds');
    assert.equal(points.length, 1);
    assert.deepEqual(points[0]?.attributes, { verb: 'POST', host: 'apiserver.test:6443' });
    assert.equal((points[0]?.value as { count: number }).count, 1);
  });
});

describe('retryOnConflict', () => {
  const conflict = () => new ApiError(409, 'Conflict', 'modified');
  it('re-runs the read-modify-write on conflict and returns its result', async () => {
    const clock = createInstantClock();
    let calls = 0;
    const result = await retryOnConflict(async () => {
      calls += 1;
      if (calls < 3) throw conflict();
      return 'done';
    }, { clock, random: () => 0 });
    assert.equal(result, 'done');
    assert.deepEqual(clock.delays, [10, 10]);
  });

  it('stops after client-go DefaultRetry steps (5) and throws the conflict', async () => {
    const clock = createInstantClock();
    let calls = 0;
    await assert.rejects(retryOnConflict(async () => {
      calls += 1;
      throw conflict();
    }, { clock }), (err) => isConflict(err));
    assert.equal(calls, 5);
    assert.ok(clock.delays.every((d) => d >= 10 && d <= 11));
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    await assert.rejects(retryOnConflict(async () => {
      calls += 1;
      throw new ApiError(404, 'NotFound', 'gone');
    }, { clock: createInstantClock() }), /gone/);
    assert.equal(calls, 1);
  });
});

describe('requestDeadline', () => {
  it('aborts with the parent, and after the timeout with a TimeoutError', async () => {
    const parent = new AbortController();
    const a = requestDeadline(60_000, parent.signal);
    parent.abort(new Error('term ended'));
    assert.equal(a.signal.aborted, true);
    assert.equal((a.signal.reason as Error).message, 'term ended');
    a.release();
    const b = requestDeadline(5);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(b.signal.aborted, true);
    assert.equal((b.signal.reason as DOMException).name, 'TimeoutError');
    b.release();
  });

  it('keeps nothing of a settled request: no listener on the parent, no pending timer', async () => {
    const parent = new AbortController();
    const listeners = () => getEventListeners(parent.signal, 'abort').length;
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const deadlines = Array.from({ length: 50 }, () => requestDeadline(60_000, parent.signal));
    assert.equal(listeners(), 50);
    for (const d of deadlines) d.release();
    assert.equal(listeners(), 0);
    assert.equal(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length, before);
    assert.equal(deadlines.some((d) => d.signal.aborted), false);
  });
});
