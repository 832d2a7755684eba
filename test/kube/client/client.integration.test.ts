import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiError, createKubeClient, isAlreadyExists, isConflict, isNotFound, RESOURCES, retryOnConflict } from '../../../src/kube/client/index.js';
import { kubeconfigYaml, startApiServer } from '../../support/apiserver/index.js';
import { collectPoints, createTestInstruments, silentLogger } from './fakes.js';
import type { ApiServer } from '../../support/apiserver/index.js';
import type { KubeObject } from '../../../src/kube/client/index.js';

let server: ApiServer;

before(async () => {
  server = await startApiServer({ crds: ['deploy/crds/subnets.kubeovn.io.yaml', 'deploy/crds/ips.kubeovn.io.yaml'] });
});
after(async () => {
  await server.close();
});

function setup() {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(server.url));
  const { instruments, reader } = createTestInstruments();
  const client = createKubeClient({ kubeconfig: kc, logger: silentLogger(), instruments, retry: { initialMs: 10, maxMs: 2000 } });
  return { client, reader, host: `127.0.0.1:${server.port}` };
}

const subnet = (name: string): KubeObject => ({ metadata: { name }, spec: { cidrBlock: '10.66.0.0/16', protocol: 'IPv4' } });

describe('kube client against the local API server', () => {
  it('parses NotFound, AlreadyExists and Conflict from real Status bodies', async () => {
    const { client } = setup();
    await assert.rejects(client.get(RESOURCES.subnets, 'missing'), (err) => isNotFound(err) && (err as ApiError).message.includes('"missing" not found'));
    const created = await client.create(RESOURCES.subnets, subnet('s-errors'));
    await assert.rejects(client.create(RESOURCES.subnets, subnet('s-errors')), (err) => isAlreadyExists(err) && (err as ApiError).code === 409);
    await client.mergePatch(RESOURCES.subnets, 's-errors', { metadata: { labels: { a: 'b' } } });
    await assert.rejects(client.replace(RESOURCES.subnets, created), (err) => isConflict(err));
  });

  it('writes status through the status subresource with a merge patch', async () => {
    const { client } = setup();
    await client.create(RESOURCES.subnets, subnet('s-status'));
    const patched = await client.mergePatch(RESOURCES.subnets, 's-status', { status: { v4availableIPs: 65533, conditions: [{ type: 'Ready', status: 'True' }] } }, { subresource: 'status' });
    assert.equal((patched['status'] as Record<string, unknown>)['v4availableIPs'], 65533);
    const removed = await client.mergePatch(RESOURCES.subnets, 's-status', { status: { conditions: null } }, { subresource: 'status' });
    assert.equal((removed['status'] as Record<string, unknown>)['conditions'], undefined);
  });

  it('a merge patch with discard lands, resolves without a body and still rejects with the API error', async () => {
    const { client } = setup();
    await client.create(RESOURCES.subnets, subnet('s-discard'));
    assert.equal(await client.mergePatch(RESOURCES.subnets, 's-discard', { metadata: { labels: { quiet: 'yes' } } }, { discard: true }), undefined);
    assert.equal((await client.get(RESOURCES.subnets, 's-discard')).metadata.labels?.['quiet'], 'yes');
    await assert.rejects(client.mergePatch(RESOURCES.subnets, 's-missing', { metadata: { labels: { a: 'b' } } }, { discard: true }), (err) => isNotFound(err));
  });

  it('creates an Event the server accepts', async () => {
    const { client } = setup();
    const event = await client.createEvent({ involvedObject: { apiVersion: 'kubeovn.io/v1', kind: 'Subnet', name: 's-status' }, type: 'Warning', reason: 'CIDRInvalid', message: 'bad cidr' });
    assert.equal(event.metadata.namespace, 'default');
    assert.equal(typeof event.metadata.uid, 'string');
  });

  it('serialises concurrent read-modify-writes with retryOnConflict', async () => {
    const { client } = setup();
    await client.create(RESOURCES.subnets, subnet('s-counter'));
    const bump = () => retryOnConflict(async () => {
      const current = await client.get(RESOURCES.subnets, 's-counter');
      const labels = current.metadata.labels ?? {};
      const n = Number(labels['n'] ?? '0');
      await new Promise((resolve) => setTimeout(resolve, 5));
      return client.replace(RESOURCES.subnets, { ...current, metadata: { ...current.metadata, labels: { ...labels, n: String(n + 1) } } });
    }, { steps: 10 });
    await Promise.all([bump(), bump(), bump()]);
    const final = await client.get(RESOURCES.subnets, 's-counter');
    assert.equal(final.metadata.labels?.['n'], '3');
  });

  it('retries a throttled read after Retry-After and counts each answer by code', async () => {
    const { client, reader, host } = setup();
    server.faults.failNext(1, { status: 429, retryAfterSeconds: 1, method: 'GET', pathPrefix: '/apis/kubeovn.io/v1/subnets' });
    const started = Date.now();
    const list = await client.list(RESOURCES.subnets);
    assert.ok(Date.now() - started >= 900);
    assert.ok(list.items.length >= 1);
    const points = await collectPoints(reader, 'rest_client_requests_total');
    const codes = Object.fromEntries(points.map((p) => [String(p.attributes['code']), p.attributes]));
    assert.deepEqual(codes['429'], { code: '429', method: 'GET', host });
    assert.deepEqual(codes['200'], { code: '200', method: 'GET', host });
  });

  it('surfaces a refused connection on a write without retrying it, counted as <error>', async () => {
    const { client, reader } = setup();
    const outage = server.faults.refuseConnections(300);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await assert.rejects(client.create(RESOURCES.subnets, subnet('s-refused')), /ECONNREFUSED|socket hang up|ECONNRESET/);
    await outage;
    const points = await collectPoints(reader, 'rest_client_requests_total');
    assert.ok(points.some((p) => p.attributes['code'] === '<error>' && p.attributes['method'] === 'POST'));
  });
});
