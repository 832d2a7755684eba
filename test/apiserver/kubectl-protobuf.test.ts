import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { ProtoCatalog, PROTOBUF } from '../support/apiserver/protobuf.js';
import { capture } from './capture.js';
import type { Capture, Exchange } from './capture.js';
import { kubectl, kubectlMissing, setup } from './helpers.js';
import type { Harness } from './helpers.js';

const skip = kubectlMissing();
const catalog = new ProtoCatalog();

/** Go's JSON writes zero metav1.Time as null; the same object decoded from protobuf has no such key. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
}

async function run(h: Harness, kubeconfig: string, args: string[]): Promise<string> {
  const r = await kubectl(h, ['--kubeconfig', kubeconfig, ...args]);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function lastPost(c: Capture, from: number): Exchange {
  const post = c.exchanges.slice(from).filter((e) => e.method === 'POST').at(-1);
  assert.ok(post !== undefined, 'kubectl sent no POST');
  return post;
}

/** Typed `kubectl create` verbs: kubectl 1.32 sends each object in protobuf. */
const CREATES: Array<{ args: string[]; get: string[] }> = [
  { args: ['create', 'namespace', 'team'], get: ['namespace', 'team'] },
  { args: ['create', 'serviceaccount', 'robot'], get: ['serviceaccount', 'robot'] },
  { args: ['create', 'configmap', 'settings', '--from-literal=mode=fast', '--from-literal=level=3'], get: ['configmap', 'settings'] },
  { args: ['create', 'secret', 'generic', 'creds', '--from-literal=password=s3cr3t'], get: ['secret', 'creds'] },
  { args: ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80'], get: ['deployment', 'web'] },
  { args: ['create', 'service', 'clusterip', 'web', '--tcp=80:8080'], get: ['service', 'web'] },
  { args: ['create', 'clusterrole', 'metrics-reader', '--verb=get', '--non-resource-url=/metrics'], get: ['clusterrole', 'metrics-reader'] },
  { args: ['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods', '--resource-name=a'], get: ['role', 'pod-reader'] },
  { args: ['create', 'rolebinding', 'robot-pods', '--role=pod-reader', '--serviceaccount=default:robot', '--user=alice', '--group=devs'], get: ['rolebinding', 'robot-pods'] },
];

describe('protobuf bodies as kubectl sends and reads them', { skip }, () => {
  let h: Harness;
  let c: Capture;
  before(async () => {
    h = await setup();
    c = await capture(h);
  });
  after(async () => {
    await c.close();
    await h.close();
  });

  for (const { args, get } of CREATES) {
    it(`decodes, round-trips and answers \`kubectl ${args.join(' ')}\``, async () => {
      const intended = JSON.parse(await run(h, h.kubeconfig, [...args, '--dry-run=client', '-o', 'json'])) as Record<string, unknown>;
      const from = c.exchanges.length;
      const printed = JSON.parse(await run(h, c.kubeconfig, [...args, '-o', 'json'])) as Record<string, unknown>;
      const post = lastPost(c, from);
      assert.equal(post.requestType, PROTOBUF, 'kubectl sent protobuf');
      const decoded = catalog.decodeBody(post.requestBody);
      assert.deepEqual(decoded, withoutNulls(intended), 'the protobuf body decodes to the object kubectl would have sent as JSON');
      const again = catalog.decodeBody(catalog.encodeObject(String(decoded['apiVersion']), String(decoded['kind']), decoded));
      assert.deepEqual(again, decoded, 'encoding the decoded object loses nothing');
      assert.equal(post.status, 201);
      assert.equal(post.responseType, PROTOBUF, 'answered in protobuf, as asked first');
      const stored = JSON.parse(await run(h, h.kubeconfig, ['get', ...get, '-o', 'json'])) as Record<string, unknown>;
      assert.deepEqual(withoutNulls(printed), withoutNulls(stored), 'kubectl reads our protobuf answer as the stored object');
    });
  }

  it('serves TokenRequest and the TokenRequest answer in protobuf to kubectl create token', async () => {
    const from = c.exchanges.length;
    const token = (await run(h, c.kubeconfig, ['create', 'token', 'robot', '--audience=metrics', '--duration=15m'])).trim();
    const post = lastPost(c, from);
    const decoded = catalog.decodeBody(post.requestBody);
    assert.deepEqual(decoded['spec'], { audiences: ['metrics'], expirationSeconds: 900 });
    assert.equal(post.responseType, PROTOBUF);
    const answer = catalog.decodeBody(post.responseBody);
    assert.equal((answer['status'] as Record<string, unknown>)['token'], token);
  });

  it('answers kubectl describe (typed Get and an EventList) in protobuf', async () => {
    await h.call('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '500m', memory: '64Mi' } } }] } });
    const pod = (await h.call('GET', '/api/v1/namespaces/default/pods/p1')).json;
    const meta = pod['metadata'] as Record<string, string>;
    await h.call('POST', '/api/v1/namespaces/default/events', {
      metadata: { name: 'p1.1' }, involvedObject: { kind: 'Pod', namespace: 'default', name: 'p1', uid: meta['uid'] }, reason: 'Scheduled', message: 'assigned to node-1', type: 'Normal',
      source: { component: 'scheduler' }, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:00:00Z', count: 1,
    });
    const from = c.exchanges.length;
    const out = await run(h, c.kubeconfig, ['describe', 'pod', 'p1']);
    assert.match(out, /^Name:\s+p1$/m);
    assert.match(out, /cpu:\s+500m/);
    assert.match(out, /Normal\s+Scheduled\s+.*assigned to node-1/);
    const protobufAnswers = c.exchanges.slice(from).filter((e) => e.responseType === PROTOBUF).map((e) => e.path.split('?')[0]);
    assert.deepEqual(protobufAnswers, ['/api/v1/namespaces/default/pods/p1', '/api/v1/namespaces/default/events']);
  });

  it('accepts and answers Nodes and Leases in protobuf (MicroTime keeps its six digits)', async () => {
    const objects: Array<[string, string, string, Record<string, unknown>]> = [
      ['/api/v1/nodes', 'v1', 'Node', { metadata: { name: 'node-1', labels: { 'kubernetes.io/os': 'linux' } }, spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] } }],
      ['/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', 'coordination.k8s.io/v1', 'Lease', { metadata: { name: 'ctrl' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: '2026-01-02T03:04:05.123456Z', renewTime: '2026-01-02T03:04:06.000001Z', leaseTransitions: 0 } }],
    ];
    for (const [path, apiVersion, kind, obj] of objects) {
      const created = await fetch(`${h.server.url}${path}`, { method: 'POST', headers: { 'Content-Type': PROTOBUF, Accept: PROTOBUF }, body: catalog.encodeObject(apiVersion, kind, obj) });
      assert.equal(created.status, 201, await created.clone().text());
      const answer = catalog.decodeBody(Buffer.from(await created.arrayBuffer()));
      const name = String((obj['metadata'] as Record<string, unknown>)['name']);
      const json = (await h.call('GET', `${path}/${name}`)).json;
      assert.deepEqual(answer, json, `${kind} in protobuf is the ${kind} in JSON`);
      assert.deepEqual((json['spec'] as Record<string, unknown>), { ...(obj['spec'] as Record<string, unknown>) });
    }
  });

  it('refuses a protobuf field it does not know instead of dropping it', async () => {
    const body = c.exchanges.find((e) => e.method === 'POST' && e.path.startsWith('/api/v1/namespaces?'))?.requestBody;
    assert.ok(body !== undefined);
    // Field 99 (varint 1) appended to the Namespace message inside the envelope.
    const ns = catalog.decodeBody(body);
    const inner = catalog.rawOf(catalog.encodeObject('v1', 'Namespace', { ...ns, metadata: { name: 'extra' } }));
    const tampered = catalog.wrap('v1', 'Namespace', Buffer.concat([inner, Buffer.from([0x98, 0x06, 0x01])]));
    const res = await fetch(`${h.server.url}/api/v1/namespaces`, { method: 'POST', headers: { 'Content-Type': PROTOBUF }, body: tampered });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /k8s\.io\.api\.core\.v1\.Namespace: field number 99 \(wire type 0\) is not in this double's schema/);
    assert.equal((await h.call('GET', '/api/v1/namespaces/extra')).status, 404);
  });

  it('answers 415 for protobuf bodies of kinds without a protobuf form', async () => {
    const crd = catalog.wrap('apiextensions.k8s.io/v1', 'CustomResourceDefinition', Buffer.alloc(0));
    const res = await fetch(`${h.server.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, { method: 'POST', headers: { 'Content-Type': PROTOBUF }, body: crd });
    assert.equal(res.status, 415);
    const status = (await res.json()) as { reason: string; message: string };
    assert.equal(status.reason, 'UnsupportedMediaType');
    assert.match(status.message, /accepted media types include: application\/json, application\/yaml/);
  });

  it('falls back to JSON when a stored object has a field protobuf cannot carry, and says 406 if JSON is not acceptable', async () => {
    // Writes prune unknown fields (fieldValidation), so only a loaded state file can hold one.
    const state = await h.file('state.json', JSON.stringify({ resourceVersion: 5, resources: { configmaps: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'odd', namespace: 'default', uid: 'u', resourceVersion: '5' }, data: { a: 'b' }, notAField: true }] } }));
    const old = await setup({ statePath: state });
    try {
      const both = await fetch(`${old.server.url}/api/v1/namespaces/default/configmaps/odd`, { headers: { Accept: `${PROTOBUF},application/json` } });
      assert.equal(both.headers.get('content-type'), 'application/json');
      assert.equal(((await both.json()) as Record<string, unknown>)['notAField'], true);
      const only = await fetch(`${old.server.url}/api/v1/namespaces/default/configmaps/odd`, { headers: { Accept: PROTOBUF } });
      assert.equal(only.status, 406);
    } finally {
      await old.close();
    }
  });
});
