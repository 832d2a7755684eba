// Issue 12: the commands a new user types against the demo, exactly as typed (no --validate=false),
// against the oldest and newest kubectl the dispatcher offers and the default. The dispatcher
// (/usr/bin/kubectl) runs kubectl.1.<minor> for a server whose /version says 1.<minor>.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { CRD_FILES } from '../support/kube-env.js';
import { kubectl, kubectlMissing, setup } from './helpers.js';
import type { Harness } from './helpers.js';

const skip = kubectlMissing();

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: c
    image: nginx
`;

const TYPO = `apiVersion: v1
kind: Pod
metadata:
  name: typo
spec:
  containers:
  - name: c
    image: nginx
    imagePullPolice: Always
`;

const SUBNET = `apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: s1
spec:
  cidrBlock: 10.16.0.0/16
  protocol: IPv4
colour: blue
`;

async function ok(h: Harness, args: string[]): Promise<string> {
  const r = await kubectl(h, args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function fails(h: Harness, args: string[]): Promise<string> {
  const r = await kubectl(h, args);
  assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail: ${r.stdout}`);
  return r.stderr;
}

async function seedClusterObjects(h: Harness): Promise<void> {
  await h.call('POST', '/api/v1/nodes', {
    metadata: { name: 'node-1', labels: { 'node-role.kubernetes.io/control-plane': '' } },
    status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '172.18.0.2' }], nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'containerd://1.7' } },
  });
  await h.call('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases', { metadata: { name: 'kube-ovn-controller' }, spec: { holderIdentity: 'ctrl-0', leaseDurationSeconds: 15 } });
  await h.call('POST', '/api/v1/namespaces/default/events', {
    metadata: { name: 'web.1' }, involvedObject: { kind: 'Pod', namespace: 'default', name: 'web' }, reason: 'AddressAllocated', message: 'ip 10.16.0.2', type: 'Normal',
    source: { component: 'kube-ovn-controller' }, firstTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), count: 1,
  });
}

async function issueCommands(minor: number): Promise<void> {
  const h = await setup({ minorVersion: minor, crds: [...CRD_FILES] });
  try {
    const version = JSON.parse(await ok(h, ['version', '-o', 'json'])) as Record<string, Record<string, string>>;
    // 1.32 is the dispatcher's own build (minor "32+"); others are the bundled kubectl.1.<minor>.
    assert.match(version['clientVersion']?.['minor'] ?? '', new RegExp(`^${minor}\\+?$`), 'the dispatcher ran the matching kubectl');
    assert.equal(version['serverVersion']?.['gitVersion'], `v1.${minor}.0`);

    assert.match(await ok(h, ['create', 'ns', 'foo']), /^namespace\/foo created$/m);
    const pod = await h.file('pod.yaml', POD);
    assert.match(await ok(h, ['apply', '-f', pod]), /^pod\/web created$/m);
    assert.match(await ok(h, ['replace', '-f', pod]), /^pod\/web replaced$/m);
    assert.match(await ok(h, ['create', '-f', pod, '-n', 'foo']), /^pod\/web created$/m);
    assert.match(await fails(h, ['apply', '-f', await h.file('typo.yaml', TYPO)]), /Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec\.containers\[0\]\.imagePullPolice"/);
    const subnet = await h.file('subnet.yaml', SUBNET);
    assert.match(await fails(h, ['apply', '-f', subnet]), /Subnet in version "v1" cannot be handled as a Subnet: strict decoding error: unknown field "colour"/);

    assert.match(await ok(h, ['run', 'new2', '--image=nginx']), /^pod\/new2 created$/m);
    assert.match(await ok(h, ['get', 'pod', 'new2', '-o', 'wide']), /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\nnew2\s+0\/1\s+Pending\s+0\s+\d+s\s+<none>\s+<none>\s+<none>\s+<none>$/m);
    assert.match(await ok(h, ['annotate', 'pod', 'new2', 'ovn.kubernetes.io/ip_address=10.16.0.100']), /^pod\/new2 annotated?$/m, 'kubectl 1.27 prints "annotate"');

    assert.match(await ok(h, ['create', 'serviceaccount', 'robot']), /^serviceaccount\/robot created$/m);
    const token = (await ok(h, ['create', 'token', 'robot'])).trim();
    const review = await h.call('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
    assert.equal((review.json['status'] as Record<string, unknown>)['authenticated'], true);

    const explain = await ok(h, ['explain', 'subnet.spec']);
    assert.match(explain, /KIND:\s+Subnet/);
    assert.match(explain, /cidrBlock\s+<string>/);
    assert.match(await ok(h, ['explain', 'pod.spec.containers.ports']), /containerPort\s+<integer>/);

    await seedClusterObjects(h);
    assert.match(await ok(h, ['get', 'nodes', '-o', 'wide']), /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME\nnode-1\s+Ready\s+control-plane\s+\d+s\s+v1\.32\.0\s+172\.18\.0\.2\s+<none>\s+Debian\s+6\.1\s+containerd:\/\/1\.7$/m);
    assert.match(await ok(h, ['get', 'ns']), /^NAME\s+STATUS\s+AGE\n(?:.*\n)*foo\s+Active\s+\d+s$/m);
    assert.match(await ok(h, ['get', 'events']), /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n\d+s\s+Normal\s+AddressAllocated\s+pod\/web\s+ip 10\.16\.0\.2$/m);
    assert.match(await ok(h, ['get', 'leases', '-n', 'kube-system']), /^NAME\s+HOLDER\s+AGE\nkube-ovn-controller\s+ctrl-0\s+\d+s$/m);
    assert.match(await ok(h, ['apply', '-f', await h.file('subnet-ok.yaml', SUBNET.replace('colour: blue\n', ''))]), /^subnet.kubeovn.io\/s1 created$/m);
    assert.match(await ok(h, ['get', 'subnets']), /^NAME\s+PROVIDER\s+VPC\s+PROTOCOL\s+CIDR\s+.*\ns1\s+IPv4\s+10\.16\.0\.0\/16/m);
  } finally {
    await h.close();
  }
}

// The three versions run side by side: each has its own server, and kubectl mostly waits on I/O.
describe('the commands from issue 12, as a person types them', { skip, concurrency: 3 }, () => {
  for (const minor of [27, 32, 33]) {
    it(`work with kubectl 1.${minor}`, () => issueCommands(minor));
  }
});
